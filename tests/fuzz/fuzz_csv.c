/* fuzz_csv.c - the CSV export's cell quoting (biq_flow_csv_format,
 * flow/csv.c) on tenant text: issue key, summary, project key and status
 * names come from the input (split at NUL bytes, as C strings would be).
 *
 * Properties: a line that fits is exactly one RFC 4180 record ending in
 * CRLF with no bare CR or LF outside quotes; read back, it has the 13
 * columns of the header and each text cell is its input, with an
 * apostrophe in front when the input starts with = + - @ TAB or CR
 * (formula injection); a line that does not fit (small buffer sizes taken
 * from the input) is BIQ_ERR_TOO_LARGE with *len below the size (the
 * buffer's content is then unspecified), and one that fits is the same
 * line whatever the size. The header fits and has 13 columns too.
 */
#include <string.h>

#include "flow/flow.h"
#include "fuzz.h"

enum {
    CELLS = 13,
    TEXTS = 5, /* key, summary, project, current status, slice status */
    CELL_MAX = 4 * BIQ_FLOW_CSV_LINE_MAX,
};

/* Column of each text cell in the record. */
static const int TEXT_COLUMN[TEXTS] = {0, 1, 2, 3, 6};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    char buf[BIQ_FLOW_CSV_LINE_MAX];
    size_t len = 0;
    FUZZ_CHECK(biq_flow_csv_header(buf, sizeof buf, &len) == BIQ_OK && len > 2);
    size_t commas = 0;
    for (size_t i = 0; i < len; i++)
        commas += buf[i] == ',';
    FUZZ_CHECK(commas == CELLS - 1);
    return 0;
}

/* Reads one RFC 4180 record of line[0..len) into cells (each malloc'd);
 * returns the cell count, or -1 when the line is not one record + CRLF. */
static int read_record(const char *line, size_t len, char **cells, size_t max_cells)
{
    size_t i = 0, n = 0;
    for (;;) {
        char *cell = malloc(len + 1);
        FUZZ_CHECK(cell != NULL);
        size_t k = 0;
        if (i < len && line[i] == '"') {
            for (i++;; i++) {
                if (i >= len) {
                    free(cell);
                    return -1; /* unterminated quote */
                }
                if (line[i] == '"') {
                    if (i + 1 < len && line[i + 1] == '"') {
                        cell[k++] = '"';
                        i++;
                        continue;
                    }
                    i++;
                    break;
                }
                cell[k++] = line[i];
            }
        } else {
            while (i < len && line[i] != ',' && line[i] != '\r' && line[i] != '\n') {
                if (line[i] == '"') {
                    free(cell);
                    return -1; /* a quote in an unquoted cell */
                }
                cell[k++] = line[i++];
            }
        }
        cell[k] = '\0';
        if (n == max_cells) {
            free(cell);
            return -1;
        }
        cells[n++] = cell;
        if (i < len && line[i] == ',') {
            i++;
            continue;
        }
        return i + 2 == len && line[i] == '\r' && line[i + 1] == '\n' ? (int)n : -1;
    }
}

static void check_line(const char *line, size_t len, const char *const texts[TEXTS])
{
    char *cells[CELLS + 1];
    FUZZ_CHECK(strlen(line) == len);
    int n = read_record(line, len, cells, CELLS + 1);
    FUZZ_CHECK(n == CELLS);
    for (int t = 0; t < TEXTS; t++) {
        const char *want = texts[t];
        const char *got = cells[TEXT_COLUMN[t]];
        if (want[0] != '\0' && strchr("=+-@\t\r", want[0]) != NULL)
            FUZZ_CHECK(*got++ == '\'');
        FUZZ_CHECK(strcmp(got, want) == 0);
    }
    for (int i = 0; i < n; i++)
        free(cells[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > CELL_MAX)
        return 0;
    char *text = malloc(size + 1);
    FUZZ_CHECK(text != NULL);
    memcpy(text, data, size);
    text[size] = '\0';
    const char *texts[TEXTS];
    const char *p = text;
    for (int t = 0; t < TEXTS; t++) {
        texts[t] = p;
        p += strlen(p);
        if (p < text + size)
            p++; /* past the NUL separator */
    }

    biq_issue is = {.id = 1, .key = texts[0], .summary = texts[1], .project_key = texts[2]};
    biq_flow_slice slices[2] = {
        {.status_id = 1, .status_index = 0, .start = INT64_C(1700000000000),
         .end = INT64_C(1700000360000), .duration_ms = 360000},
        {.status_id = 2, .status_index = 1, .start = INT64_C(1700000360000),
         .end = INT64_C(1767225600000), .duration_ms = INT64_C(67225240000), .open = true},
    };
    biq_flow_issue_view v = {.issue = &is, .slices = slices, .n_slices = 2,
                             .started_at = BIQ_MS_NONE, .done_at = BIQ_MS_NONE,
                             .lead_ms = -1, .cycle_ms = -1};
    biq_flow_status_info cur = {.id = 2, .name = texts[3], .terminal = true};
    biq_flow_status_info st = {.id = 1, .name = texts[4], .external = true};
    biq_flow_csv_row row = {&v, &slices[0], &st, &cur};

    size_t big = BIQ_FLOW_CSV_LINE_MAX + 3 * size + 64, len = 0;
    char *line = malloc(big);
    FUZZ_CHECK(line != NULL);
    biq_err err = biq_flow_csv_format(&row, line, big, &len);
    FUZZ_CHECK(err == BIQ_OK && len < big);
    check_line(line, len, texts);

    /* The same row into smaller buffers: refused whole or the same line. */
    size_t sizes[] = {0, 1, size > 0 ? data[0] : 2, len, len + 1};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        char *small = malloc(sizes[i] + 1);
        size_t slen = 99;
        FUZZ_CHECK(small != NULL);
        err = biq_flow_csv_format(&row, small, sizes[i], &slen);
        if (sizes[i] > len) {
            FUZZ_CHECK(err == BIQ_OK && slen == len && memcmp(small, line, len + 1) == 0);
        } else {
            FUZZ_CHECK(err == BIQ_ERR_TOO_LARGE);
            FUZZ_CHECK(sizes[i] == 0 || slen < sizes[i]);
        }
        free(small);
    }
    free(line);
    free(text);
    return 0;
}
