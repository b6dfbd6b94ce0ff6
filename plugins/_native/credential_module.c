/* smsguard_plugins._ccredential, second part: bind() and the module; credential.c holds the detector's steps. */
#include "credential.h"

static const char *const FIELD_NAMES[N_FIELDS] = {
    "reference", "read", "term_hit", "entry", "negated", "by_kind", "resolve_overlaps", "make_signal", "hit_index",
    "asked", "code_value", "app_follows", "others", "start", "signalling_kinds", "credential_kinds",
    "unless_negated", "ask_before", "ask_after", "code_window", "code_min_digits",
};

static const char *const STRINGS[N_STRINGS] = {
    "ask", "disclose", "code", "download", "app", "strong", "sort", ",", "credential.request",
    "credential.otp_notice", "credential.warning", "credential.app_download",
};

PyObject *cr_str[N_STRINGS];
PyObject *cr_empty_tuple, *cr_kw_value, *cr_kw_nspans, *cr_kw_key;

static PyTypeObject *detector_type;

static PyObject *
credential_bind(PyObject *module, PyObject *args, PyObject *kwargs)
{
    Detector *d = DT_NEW(Detector, detector_type, cr_detect, f, N_FIELDS);
    if (d == NULL || dt_keywords(args, kwargs, FIELD_NAMES, N_FIELDS, d->f) < 0
        || dt_check_hit_classes(d->f[F_TERM_HIT], d->f[F_ENTRY]) < 0) {
        goto error;
    }
    if (!PyFrozenSet_CheckExact(d->f[F_SIGNALLING_KINDS]) || !dt_str_tuple(d->f[F_CREDENTIAL_KINDS], 0)
        || !dt_str_tuple(d->f[F_UNLESS_NEGATED], 1)) {
        PyErr_SetString(PyExc_TypeError,
                        "bind: signalling_kinds must be a frozenset, credential_kinds a tuple of str and "
                        "unless_negated a tuple of pairs of str");
        goto error;
    }
    static const char *const NUMBER_NAMES[N_NUMBERS] = {"ask_before", "ask_after", "code_window", "code_min_digits"};
    PyObject *numbers[N_NUMBERS] = {d->f[F_ASK_BEFORE], d->f[F_ASK_AFTER], d->f[F_CODE_WINDOW],
                                    d->f[F_CODE_MIN_DIGITS]};
    if (dt_small_ints(numbers, NUMBER_NAMES, N_NUMBERS, d->n) < 0) {
        goto error;
    }
    return (PyObject *)d;
error:
    Py_XDECREF(d);
    return NULL;
}

static PyMethodDef credential_methods[] = {
    {"bind", (PyCFunction)(void (*)(void))credential_bind, METH_VARARGS | METH_KEYWORDS,
     "bind(*, reference, read, term_hit, entry, negated, by_kind, resolve_overlaps, make_signal, hit_index, asked, "
     "code_value, app_follows, others, start, signalling_kinds, credential_kinds, unless_negated, ask_before, "
     "ask_after, code_window, code_min_digits)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef credential_module = {
    PyModuleDef_HEAD_INIT, "smsguard_plugins._ccredential",
    "The credential detector's body in C (see plugins/credential.py, whose detect_reference it reproduces).", -1,
    credential_methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC
PyInit__ccredential(void)
{
    if (dt_intern(STRINGS, N_STRINGS, cr_str) < 0) {
        return NULL;
    }
    if (cr_empty_tuple == NULL
        && ((cr_empty_tuple = PyTuple_New(0)) == NULL
            || (cr_kw_value = Py_BuildValue("(N)", PyUnicode_InternFromString("value"))) == NULL
            || (cr_kw_nspans = Py_BuildValue("(N)", PyUnicode_InternFromString("nspans"))) == NULL
            || (cr_kw_key = Py_BuildValue("(N)", PyUnicode_InternFromString("key"))) == NULL)) {
        return NULL;
    }
    detector_type = dt_new_type("smsguard_plugins._ccredential.Detector",
                                "The credential detector's body: detector(message, text, features) -> list[Signal].",
                                sizeof(Detector), NULL);
    return detector_type == NULL ? NULL : dt_module(&credential_module, detector_type);
}
