/* json_count.h - a counting pre-pass over a JSON text, run before jansson
 * builds a tree from it (issue 12: a 16 MiB page of `{},{},...` took 94
 * times its size once parsed). It counts the values the text would
 * allocate (every object, array, string, object key, number and literal)
 * without allocating, and stops at a limit, so the cost of a parse is known
 * from the bytes alone. It does not validate: invalid JSON is counted as
 * well as it goes and left for the parser to refuse. Pure, thread-safe.
 */
#ifndef BIQ_HTTP_JSON_COUNT_H
#define BIQ_HTTP_JSON_COUNT_H

#include <stdbool.h>
#include <stddef.h>

typedef struct biq_json_counts {
    size_t values;     /* every value, object keys and containers included */
    size_t containers; /* objects and arrays: the costly ones (~230 B each) */
} biq_json_counts;

/* Counts the JSON values and containers of text[0..len) into *out and
 * returns true when there are at most max_values and max_containers;
 * stops counting (and returns false) as soon as either is passed. O(len),
 * no allocation; NUL bytes are read as any other byte. */
bool biq_json_count(const char *text, size_t len, size_t max_values, size_t max_containers,
                    biq_json_counts *out);

#endif
