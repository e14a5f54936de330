package dev.lakestream.watermarks;

import java.io.Serializable;

/**
 * Epoch milliseconds now. A strategy travels with the job graph, so the clock it holds must be
 * serializable; tests hand in one they control.
 */
@FunctionalInterface
interface WallClock extends Serializable {

    WallClock SYSTEM = System::currentTimeMillis;

    long currentTimeMillis();
}
