/**
 * Coarse, allocation-free connection timers: {@link io.corerouter.core.timer.TimerWheel}, one per
 * event loop, and the idle timeout built on it
 * ({@link io.corerouter.core.timer.IdleTimeoutHandler}).
 */
package io.corerouter.core.timer;
