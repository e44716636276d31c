package io.corerouter.core.server;

import io.corerouter.core.route.KeyMapper;
import io.corerouter.core.transport.Transport;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;

/**
 * What the launcher hands a {@link RouterKind} to make its router with: what the process shares
 * with every router, and the router's own mapper.
 *
 * @param transport the native or NIO transport
 * @param offload   {@code --offload-threads}: blocking work kept off the event loops
 * @param hostname  this host's name (the HTTP router's default SERVER_NAME)
 * @param mapper    the router's subscription table when {@code --R-subscription-server} is given,
 *                  else null: the router picks its mapper from its own options (spec §3.4)
 * @param services  process-wide services of other modules by type, e.g. the TLS service of the
 *                  {@code ssl} module when a router {@linkplain RouterKind#servesTls serves TLS}
 */
public record RouterContext(Transport transport, Executor offload, String hostname, KeyMapper mapper,
                            Map<Class<?>, Object> services) {

    public RouterContext {
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(offload, "offload");
        Objects.requireNonNull(hostname, "hostname");
        services = Map.copyOf(services);
        services.forEach((type, service) -> type.cast(service)); // each service is of its key's type
    }

    /** The shared service of this type, if the process runs one. */
    public <T> Optional<T> service(Class<T> type) {
        return Optional.ofNullable(type.cast(services.get(type)));
    }
}
