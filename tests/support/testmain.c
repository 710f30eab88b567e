/* testmain.c - the one main() of every Check test binary.
 *
 * Each test file defines biq_test_suite(); this runs it in Check's fork mode
 * (every test in its own child process, with a timeout) and exits non-zero
 * when anything failed. scripts/test.sh sums the "Checks: N, Failures: F,
 * Errors: E" lines that Check prints. */
#include <check.h>
#include <stdlib.h>

#include "testsupport.h"

int main(void)
{
    SRunner *runner = srunner_create(biq_test_suite());
    srunner_set_fork_status(runner, CK_FORK);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
