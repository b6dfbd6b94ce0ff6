/* Shared by the two sources of smsguard_plugins._ccredential: credential.c (the detector's steps) and
 * credential_module.c (the Detector type, bind and the module). See credential.c for what the C does.
 */
#ifndef SMSGUARD_CREDENTIAL_H
#define SMSGUARD_CREDENTIAL_H

#include "detector.h"

enum {
    F_REFERENCE, F_READ, F_TERM_HIT, F_ENTRY, F_NEGATED, F_BY_KIND, F_RESOLVE_OVERLAPS, F_MAKE_SIGNAL, F_HIT_INDEX,
    F_ASKED, F_CODE_VALUE, F_APP_FOLLOWS, F_OTHERS, F_START, F_SIGNALLING_KINDS, F_CREDENTIAL_KINDS,
    F_UNLESS_NEGATED, F_ASK_BEFORE, F_ASK_AFTER, F_CODE_WINDOW, F_CODE_MIN_DIGITS, N_FIELDS
};

enum {
    S_ASK, S_DISCLOSE, S_CODE, S_DOWNLOAD, S_APP, S_STRONG, S_SORT, S_COMMA, S_SIG_REQUEST, S_SIG_OTP, S_SIG_WARNING, S_SIG_DOWNLOAD, N_STRINGS
};

enum { N_ASK_BEFORE, N_ASK_AFTER, N_CODE_WINDOW, N_CODE_MIN_DIGITS, N_NUMBERS };

typedef struct {
    dt_head head;
    PyObject *f[N_FIELDS];
    Py_ssize_t n[N_NUMBERS];    /* ask_before, ask_after, code_window, code_min_digits */
} Detector;

extern PyObject *cr_str[N_STRINGS];
extern PyObject *cr_empty_tuple, *cr_kw_value, *cr_kw_nspans, *cr_kw_key;

/* the Detector's vectorcall: detect_reference's steps (credential.c) */
PyObject *cr_detect(PyObject *self, PyObject *const *args, size_t nargsf, PyObject *kwnames);

#endif
