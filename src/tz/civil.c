/* civil.c - Gregorian day-number arithmetic (see civil.h). */
#include "tz/civil.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { DATE_LEN = 10 /* YYYY-MM-DD */ };

int64_t biq_floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        q--;
    return q;
}

int64_t biq_civil_days(int64_t y, int m, int d)
{
    /* Shift the year to start in March so that the leap day is last. */
    y -= m <= 2;
    int64_t era = biq_floor_div(y, 400);
    int64_t yoe = y - era * 400;
    int64_t mp = (m + 9) % 12;
    int64_t doy = (153 * mp + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void biq_civil_from_days(int64_t z, int64_t *year, int *month, int *day)
{
    z += 719468;
    int64_t era = biq_floor_div(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int d = (int)(doy - (153 * mp + 2) / 5 + 1);
    int m = (int)(mp < 10 ? mp + 3 : mp - 9);
    if (year)
        *year = y + (m <= 2);
    if (month)
        *month = m;
    if (day)
        *day = d;
}

int biq_civil_weekday(int64_t days)
{
    /* 1970-01-01 was a Thursday (3 in Monday-based numbering). */
    int64_t w = (days + 3) % 7;
    return (int)(w < 0 ? w + 7 : w);
}

int biq_civil_month_days(int64_t year, int month)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12)
        return 0;
    int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return mdays[month - 1] + (month == 2 && leap);
}

biq_err biq_civil_parse_date(const char *text, int64_t *day)
{
    if (text == NULL || strlen(text) != DATE_LEN || text[4] != '-' || text[7] != '-' ||
        strspn(text, "0123456789") != 4 || strspn(text + 5, "0123456789") != 2 ||
        strspn(text + 8, "0123456789") != 2)
        return BIQ_ERR_INVALID;
    int64_t y = strtoll(text, NULL, 10);
    int m = (text[5] - '0') * 10 + (text[6] - '0'), d = (text[8] - '0') * 10 + (text[9] - '0');
    if (m < 1 || m > 12 || d < 1 || d > biq_civil_month_days(y, m))
        return BIQ_ERR_INVALID;
    *day = biq_civil_days(y, m, d);
    return BIQ_OK;
}

char *biq_civil_format_date(int64_t day, char *buf, size_t size)
{
    int64_t y = 0;
    int m = 0, d = 0; /* mutate: equivalent const: all three are set just below */
    biq_civil_from_days(day, &y, &m, &d);
    snprintf(buf, size, "%04" PRId64 "-%02d-%02d", y, m, d);
    return buf;
}
