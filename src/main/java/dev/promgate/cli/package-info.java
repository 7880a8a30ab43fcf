/**
 * The {@code promgate} command line: {@link dev.promgate.cli.Main}, the entry point, and one picocli
 * command per subcommand, each only wiring.
 */
package dev.promgate.cli;
