/**
 * The rawrouter (spec §6): bytes in, bytes out, the node chosen by the listener's name. Start reading
 * at {@link io.corerouter.raw.RawRouter}, then {@code RawSession} (connect at accept, XCLIENT, relay or
 * splice) and {@code XClientHandler}. Options: {@code RawRouterConfig}, registered and built by
 * {@link io.corerouter.raw.RawRouterKind}.
 */
package io.corerouter.raw;
