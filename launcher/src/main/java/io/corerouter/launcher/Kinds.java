package io.corerouter.launcher;

import io.corerouter.core.config.ConfigAssembly;
import io.corerouter.core.config.ConfigSection;
import io.corerouter.fast.FastRouterKind;
import io.corerouter.http.HttpRouterKind;
import io.corerouter.raw.RawRouterKind;
import io.corerouter.ssl.TlsSection;
import io.corerouter.ssl.router.SslRouterKind;
import io.corerouter.subscription.SubscriberSection;
import io.corerouter.subscription.SubscriptionSection;
import java.util.List;

/**
 * The router kinds and other configuration sections of corerouter, assembled here and nowhere else.
 * The order is the order of the options in {@code --help} and in the README's table (after the
 * global options, before the stats options, which core registers itself); a new router kind is one
 * more entry. Installed as the {@link ConfigAssembly} ({@code META-INF/services}), so
 * {@link io.corerouter.core.config.RouterConfig#optionTable()} finds it too.
 */
public final class Kinds implements ConfigAssembly {
    /** Every section, in option order. */
    public static final List<ConfigSection<?>> ALL = List.of(
            HttpRouterKind.INSTANCE,
            FastRouterKind.INSTANCE,
            RawRouterKind.INSTANCE,
            SslRouterKind.INSTANCE,
            TlsSection.INSTANCE,
            SubscriptionSection.INSTANCE,
            SubscriberSection.INSTANCE,
            AccessLogSection.INSTANCE);

    @Override
    public List<ConfigSection<?>> sections() {
        return ALL;
    }
}
