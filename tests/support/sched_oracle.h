/* sched_oracle.h - the plain day walk of working time, kept as the oracle
 * the flow core's closed form (src/flow/schedule.c) must equal. Test code
 * only: its cost grows with the span (every day, every holiday scanned). */
#ifndef BIQ_TEST_SCHED_ORACLE_H
#define BIQ_TEST_SCHED_ORACLE_H

#include "flow/flow.h"

/* Working (or calendar, when !s->working) ms in [a, b); 0 when b <= a;
 * s NULL = calendar. s must have passed biq_work_schedule_validate(). */
int64_t biq_test_sched_walk(const biq_work_schedule *s, biq_ms a, biq_ms b);

/* The same through the flow core: a flow with no issues, built at b under s,
 * asked for biq_flow_duration(a, b). Aborts the test when the flow fails. */
int64_t biq_test_sched_closed(const biq_work_schedule *s, biq_ms a, biq_ms b);

#endif
