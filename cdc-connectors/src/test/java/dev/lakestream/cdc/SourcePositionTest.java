package dev.lakestream.cdc;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SourcePositionTest {

    @Test
    void stringOrderIsPositionOrder() {
        List<SourcePosition> positions = List.of(
                SourcePosition.snapshot(SourcePosition.Kind.POSTGRES),
                SourcePosition.postgres(9),
                SourcePosition.postgres(10),
                SourcePosition.postgres(23_456_789_012L),
                SourcePosition.postgres(Long.MAX_VALUE));
        List<String> sortable = positions.stream().map(SourcePosition::sortable).collect(Collectors.toList());
        List<String> shuffled = new ArrayList<>(sortable);
        Collections.reverse(shuffled);
        Collections.sort(shuffled);

        assertThat(shuffled).containsExactlyElementsOf(sortable);
        for (int i = 1; i < positions.size(); i++) {
            assertThat(positions.get(i)).isGreaterThan(positions.get(i - 1));
        }
    }

    @Test
    void sortableReadsBack() {
        for (SourcePosition p : List.of(SourcePosition.postgres(42), SourcePosition.mysql(3, 4, 5),
                SourcePosition.snapshot(SourcePosition.Kind.MYSQL))) {
            assertThat(SourcePosition.parse(p.sortable())).isEqualTo(p);
        }
    }

    @Test
    void kindsAreNeverCompared() {
        assertThatThrownBy(() -> SourcePosition.postgres(1).compareTo(SourcePosition.mysql(1, 1, 1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(SourcePosition.postgres(1)).isNotEqualTo(SourcePosition.mysql(1, 0, 0));
    }
}
