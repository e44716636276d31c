package io.corerouter.core.server;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What a reload (SIGHUP) did to one router or service, for the one log line that sums it up:
 * the settings that changed and were applied, and those that changed but need a restart (they
 * were left as they were).
 *
 * @param applied      one short item per change in force now ({@code to=[n2]}, {@code +listener :8081})
 * @param needsRestart one item per option whose change was not applied ({@code http-processes})
 */
public record ReloadReport(List<String> applied, List<String> needsRestart) {
    /** Nothing changed. */
    public static final ReloadReport NONE = new ReloadReport(List.of(), List.of());

    public ReloadReport {
        applied = List.copyOf(applied);
        needsRestart = List.copyOf(needsRestart);
    }

    public boolean isEmpty() {
        return applied.isEmpty() && needsRestart.isEmpty();
    }

    /** Both reports' items, this one's first. */
    public ReloadReport plus(ReloadReport other) {
        List<String> a = new ArrayList<>(applied);
        a.addAll(other.applied);
        List<String> r = new ArrayList<>(needsRestart);
        r.addAll(other.needsRestart);
        return new ReloadReport(a, r);
    }

    /**
     * The names of the components of two records of one type whose values differ, except those in
     * {@code ignore} (a kind reports the settings that its reload applied by their record names).
     */
    public static <T extends Record> List<String> changedComponents(T a, T b, Set<String> ignore) {
        List<String> changed = new ArrayList<>();
        for (RecordComponent component : a.getClass().getRecordComponents()) {
            if (ignore.contains(component.getName())) {
                continue;
            }
            try {
                if (!Objects.equals(component.getAccessor().invoke(a), component.getAccessor().invoke(b))) {
                    changed.add(component.getName());
                }
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("record " + a.getClass().getName() + " not readable", e);
            }
        }
        return changed;
    }

    /** Collects items while a reload is prepared and applied. */
    public static final class Builder {
        private final List<String> applied = new ArrayList<>();
        private final List<String> needsRestart = new ArrayList<>();

        public Builder applied(String item) {
            applied.add(item);
            return this;
        }

        public Builder needsRestart(String option) {
            needsRestart.add(option);
            return this;
        }

        public Builder add(ReloadReport report) {
            applied.addAll(report.applied());
            needsRestart.addAll(report.needsRestart());
            return this;
        }

        public ReloadReport build() {
            return new ReloadReport(applied, needsRestart);
        }
    }
}
