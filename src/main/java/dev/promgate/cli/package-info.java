/** The {@code promgate} command line: one picocli command per subcommand, each only wiring. */
package dev.promgate.cli;
