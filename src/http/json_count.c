/* json_count.c - the counting pre-pass (see json_count.h). */
#include "http/json_count.h"

#include <stdbool.h>

/* Index just past the string starting at text[i] (an opening quote). */
static size_t skip_string(const char *text, size_t len, size_t i)
{
    for (i++; i < len; i++) {
        if (text[i] == '\\')
            i++;
        else if (text[i] == '"')
            return i + 1;
    }
    return len;
}

static bool is_scalar_byte(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           c == '-' || c == '+' || c == '.';
}

bool biq_json_count(const char *text, size_t len, size_t max_values, size_t max_containers,
                    biq_json_counts *out)
{
    out->values = 0;
    out->containers = 0;
    for (size_t i = 0; i < len;) {
        char c = text[i];
        if (c == '"') {
            i = skip_string(text, len, i);
        } else if (c == '{' || c == '[') {
            i++;
            if (++out->containers > max_containers)
                return false;
        } else if (is_scalar_byte(c)) {
            while (i < len && is_scalar_byte(text[i]))
                i++;
        } else {
            i++; /* whitespace, ':', ',', closing brackets, stray bytes */
            continue;
        }
        if (++out->values > max_values)
            return false;
    }
    return true;
}
