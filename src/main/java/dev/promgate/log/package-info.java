/** Everything promgate logs is one JSON object per line on standard output, ready for log collectors. */
package dev.promgate.log;
