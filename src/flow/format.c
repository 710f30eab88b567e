/* format.c - the fixed number and instant formats of every output. */
#include <math.h>
#include <stdio.h>

#include "flow/flow.h"
#include "tz/civil.h"

enum { MAX_DECIMALS = 6, INSTANT_LEN = 24 };

double biq_flow_round(double v, int decimals)
{
    static const double scale[MAX_DECIMALS + 1] = {1, 10, 100, 1000, 1e4, 1e5, 1e6};
    if (!isfinite(v))
        return 0.0;
    if (decimals < 0)
        decimals = 0;
    if (decimals > MAX_DECIMALS)
        decimals = MAX_DECIMALS;
    double r = round(v * scale[decimals]) / scale[decimals]; /* round() is half away from zero */
    return r == 0.0 ? 0.0 : r;                               /* no "-0" */
}

bool biq_flow_format_instant(biq_ms t, char *buf, size_t size)
{
    /* mutate: equivalent const: y, m and d are set by biq_civil_from_days */
    int64_t day = biq_floor_div(t, BIQ_MS_PER_DAY), y = 0;
    int64_t ms = t - day * BIQ_MS_PER_DAY;
    int m = 0, d = 0; /* mutate: equivalent const (as above) */
    biq_civil_from_days(day, &y, &m, &d);
    if (size < INSTANT_LEN + 1 || y < 0 || y > 9999)
        return false;
    int n = snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", (int)y, m, d,
                     (int)(ms / BIQ_MS_PER_HOUR), (int)(ms / BIQ_MS_PER_MINUTE % 60),
                     (int)(ms / 1000 % 60), (int)(ms % 1000));
    return n == INSTANT_LEN;
}
