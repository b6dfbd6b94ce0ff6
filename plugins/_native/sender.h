/* Shared by the two sources of smsguard_plugins._csender: sender.c (the body, the module) and sender_table.c (the
 * port table decoded into C, for _by_prefix). See sender.c.
 */
#ifndef SMSGUARD_SENDER_H
#define SMSGUARD_SENDER_H

#include "detector.h"

#define FALLBACK (-2)

/* the kinds a port-table row may have that _by_prefix acts on (any other kind decides nothing) */
enum { SP_COURT, SP_ANTIFRAUD, SP_PORT, SP_VIRTUAL, SP_N_KINDS, SP_OTHER = SP_N_KINDS };

/* one row of the port table: its prefix (ASCII) and what the row says, all held by the decoded table */
typedef struct {
    const Py_UCS1 *key;
    Py_ssize_t len;
    PyObject *prefix;   /* the key, an exact str */
    PyObject *value;    /* row[1], an exact str */
    int kind;           /* SP_ index of row[0] */
    int strong;         /* row[1] == "strong" */
} sp_row;

int sp_decode(PyObject *table, PyTypeObject *table_type, PyObject *const *kinds, PyObject *strong);
const sp_row *sp_longest(const Py_UCS1 *number, Py_ssize_t len);
void sp_clear(void);

#endif
