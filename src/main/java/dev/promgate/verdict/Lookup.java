package dev.promgate.verdict;

/**
 * A verdict and where it came from.
 *
 * @param cache {@code hit} (a fresh cached verdict), {@code miss} (verified now),
 *              {@code coalesced} (joined a verification already under way), {@code stale}
 *              (a verified verdict past its TTL, used because the registry failed)
 */
public record Lookup(Verdict verdict, String cache) {}
