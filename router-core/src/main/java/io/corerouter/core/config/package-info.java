/**
 * corerouter's uWSGI-compatible configuration: the same option names, command-line forms and ini files
 * as uWSGI's routers (spec {@code uwsgi-corerouters.md} §3.2, §3.5, §3.12, §4.13), read into immutable,
 * validated records.
 *
 * <p>Start reading at {@link io.corerouter.core.config.RouterConfig} (the result and the whole option
 * table) and {@link io.corerouter.core.config.ConfigSection} (what a module that owns options provides:
 * each router kind's options and records live in that router's module, listed by the launcher), then
 * {@link io.corerouter.core.config.CommandLine} and
 * {@link io.corerouter.core.config.IniReader} (text to {@link io.corerouter.core.config.ParsedOptions}),
 * {@link io.corerouter.core.config.OptionTable} / {@link io.corerouter.core.config.OptionSpec} (what
 * options exist, and the help and README table generated from them),
 * {@link io.corerouter.core.config.RouterOptionNames} (the per-router common options, read into
 * {@link io.corerouter.core.config.RouterOptions} and {@link io.corerouter.core.config.RouterServices}) and
 * {@link io.corerouter.core.config.Endpoint} (listener and node address syntax).
 *
 * <p>Two layers: parsing keeps every value as text with its source (file and line), and knows only
 * arities; the typed layer ({@link io.corerouter.core.config.RouterOptions},
 * {@link io.corerouter.core.config.Timeouts}, {@link io.corerouter.core.config.Limits}, and each
 * module's records, read with {@link io.corerouter.core.config.OptionValues}) checks values and reports
 * {@code option: value (expected: ...)}.
 */
package io.corerouter.core.config;
