/* testsupport.h - helpers shared by the C tests. */
#ifndef BIQ_TESTSUPPORT_H
#define BIQ_TESTSUPPORT_H

#include <check.h>

/* Defined by each test file: the suite it runs. */
Suite *biq_test_suite(void);

#endif
