/* project_load_extras.h - loading issue #15's data into an already loaded
 * project (store/project_load.c calls it after the issues): labels, flag
 * changes, block links, sprint changes, and the project's board. Contract
 * of biq_store_project_load: the caller's tenant transaction, results in
 * arena, BIQ_ERR_LIMIT past BIQ_LOAD_EXTRA_ROWS_MAX rows of a kind. out's
 * issues must be sorted by id. */
#ifndef BIQ_STORE_PROJECT_LOAD_EXTRAS_H
#define BIQ_STORE_PROJECT_LOAD_EXTRAS_H

#include "store/project_load.h"

biq_err biq_store_project_load_extras(biq_tx *tx, const char *project_key, biq_arena *arena,
                                      biq_project_data *out);

#endif
