/**
 * The uwsgi packet codec (spec §1 of uwsgi-corerouters.md): a 4-byte header, modifier1, u16le
 * datasize, modifier2, then a vars block of {@code u16le key_len | key | u16le val_len | val}
 * records.
 *
 * <p>Start with {@link io.corerouter.core.codec.uwsgi.UwsgiPacket}, the value type, and
 * {@link io.corerouter.core.codec.uwsgi.UwsgiPacketDecoder}, the state machine that frames it.
 * Then:
 * <ul>
 *   <li>{@link io.corerouter.core.codec.uwsgi.UwsgiVars}: builds packets in place (HTTP router,
 *       subscription client, encoder);</li>
 *   <li>{@link io.corerouter.core.codec.uwsgi.UwsgiVarsParser} and
 *       {@link io.corerouter.core.codec.uwsgi.UwsgiVarVisitor}: validate and read a raw vars block
 *       without allocating (subscription datagrams, fastrouter key extraction);</li>
 *   <li>{@link io.corerouter.core.codec.uwsgi.UwsgiPacketEncoder}: the shared stateless encoder;</li>
 *   <li>{@link io.corerouter.core.codec.uwsgi.UwsgiModifiers}: the modifier values routers act on;</li>
 *   <li>{@link io.corerouter.core.codec.uwsgi.UwsgiProtocolException} and
 *       {@link io.corerouter.core.codec.uwsgi.TooLongUwsgiPacketException}: broken framing, close.</li>
 * </ul>
 */
package io.corerouter.core.codec.uwsgi;
