/**
 * The fastrouter (spec §3, §8.1): one uwsgi packet in, the same packet with the chosen node's modifiers
 * out, then a byte relay. Start reading at {@link io.corerouter.fast.FastRouter}, then
 * {@code FastRouterInitializer} (the pipeline) and {@code FastSession} (one connection's lifecycle);
 * {@code FastRouterKey} is the key precedence and {@code PostBuffer} the {@code --fastrouter-post-buffering}
 * body store. Options: {@code FastRouterConfig}, registered and built by {@link io.corerouter.fast.FastRouterKind}.
 */
package io.corerouter.fast;
