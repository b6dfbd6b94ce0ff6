/* The collector-name checker's body in C (smsguard_plugins._ccollector): detect_reference of plugins/collector.py
 * with the same steps on the same objects. The term read, the overlap and grouping helpers, the reader context,
 * make_signal, span_signal, inside and the company-tail pattern are the Python objects handed to bind (the C
 * ones where those are built); the tables are the module's own.
 *
 * Input the reference reads in a way this file does not (a read that is not a (text, list) pair, hits that are
 * not plain TermHits, a dict of kinds that is not a dict of lists, a signatures field that is not a tuple, a
 * normalized text that is not a str) goes to detect_reference, decided before the first signal is built: what
 * runs before that (the read, the grouping helpers) is cached or pure, so running it again changes nothing.
 */
#include "collector.h"

/* What a step returns when the reference must answer; never dereferenced. */
static PyObject fallback_marker;
#define FALLBACK (&fallback_marker)

/* the keys of NATIVE_TABLES, in the order of the T_ indices (collector.h); "company_tail" is bound as its match method */
static const char *const TABLE_KEYS[N_TABLES] = {
    "read", "by_kind", "resolve_overlaps", "make_signal", "span_signal", "inside", "context_of", "reader_directed",
    "named_kinds", "signature_kinds", "signature_owners", "named_shapes", "departments", "confidence",
    "default_grade", "unknown_confidence", "name_verbs", "company_tail",
};

/* the kinds the body names (K_ indices), whose signals it emits */
static const char *const KIND_NAMES[N_KINDS] = {"known_company", "lender", "obfuscated", "company_shape",
                                                "signature"};

PyObject *cl_s_text, *cl_s_signatures, *cl_s_nspan, *cl_s_value, *cl_s_end, *cl_list_sep, *cl_empty_str;
PyObject *cl_kw_value_confidence, *cl_kw_value_detail, *cl_kw_nspans_value;

/* A plain TermHit of the read: exact TermHit and Entry, exact ints, a bool fuzzy and a tuple of attributes. */
static int
plain_hit(const Detector *d, PyObject *h)
{
    Py_ssize_t a, b;
    if (!dt_plain_span(d->hit_type, d->entry_type, h, &a, &b)) {
        return 0;
    }
    PyObject *fuzzy = PyTuple_GET_ITEM(h, 3);
    return (fuzzy == Py_True || fuzzy == Py_False) && PyUnicode_CheckExact(DT_KIND(h))
           && PyTuple_CheckExact(DT_ATTRS(h)) && a <= b;
}

/* the list of kind ``k`` in chosen, borrowed, or NULL */
static PyObject *
chosen_list(const Detector *d, PyObject *chosen, int k)
{
    return chosen == NULL ? NULL : PyDict_GetItemWithError(chosen, d->kinds[k]);
}

/* make_signal(name, ntext, hits, <kwnames>=...) appended to signals; 0, or -1 with an exception set */
int
cl_emit(const Detector *d, PyObject *signals, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    return dt_append_call(signals, d->t[T_MAKE_SIGNAL], args, nargs, kwnames);
}

/* "、".join(keys), keys (a dict) released; NULL with an exception set on failure */
PyObject *
cl_joined(PyObject *keys)
{
    PyObject *s = PyUnicode_Join(cl_list_sep, keys);
    Py_DECREF(keys);
    return s;
}

static int
known_company(const Detector *d, PyObject *signals, PyObject *ntext, PyObject *companies)
{
    PyObject *names = PyDict_New(), *best = NULL;
    for (Py_ssize_t i = 0; names != NULL && i < PyList_GET_SIZE(companies); i++) {
        PyObject *h = PyList_GET_ITEM(companies, i), *attrs = ATTRS(h);
        Py_ssize_t n = PyTuple_GET_SIZE(attrs);
        PyObject *grade = n > 1 ? PyTuple_GET_ITEM(attrs, 1) : d->t[T_DEFAULT_GRADE];
        PyObject *value = PyDict_GetItemWithError(d->t[T_CONFIDENCE], grade);
        int greater = 0;
        if (PyDict_SetItem(names, n > 0 ? PyTuple_GET_ITEM(attrs, 0) : PyTuple_GET_ITEM(DT_ENTRY(h), 0), Py_None) < 0
            || (value == NULL && PyErr_Occurred())) {
            Py_CLEAR(names);
            break;
        }
        value = value != NULL ? value : d->t[T_UNKNOWN_CONFIDENCE];
        Py_INCREF(value);   /* max() compares with its own reference */
        if (best != NULL && (greater = PyObject_RichCompareBool(value, best, Py_GT)) < 0) {
            Py_DECREF(value);
            Py_CLEAR(names);
            break;
        }
        if (best == NULL || greater) {
            Py_XSETREF(best, value);
        }
        else {
            Py_DECREF(value);
        }
    }
    PyObject *value = names == NULL ? NULL : cl_joined(names);
    int rc = -1;
    if (value != NULL) {
        PyObject *args[] = {d->names[K_KNOWN_COMPANY], ntext, companies, value, best};
        rc = cl_emit(d, signals, args, 3, cl_kw_value_confidence);
        Py_DECREF(value);
    }
    Py_XDECREF(best);
    return rc;
}

static int
lender(const Detector *d, PyObject *signals, PyObject *ntext, PyObject *lenders)
{
    PyObject *brands = PyDict_New(), *details = PyDict_New(), *brand = NULL, *detail = NULL;
    for (Py_ssize_t i = 0; brands != NULL && details != NULL && i < PyList_GET_SIZE(lenders); i++) {
        PyObject *h = PyList_GET_ITEM(lenders, i), *attrs = ATTRS(h), *term = PyTuple_GET_ITEM(DT_ENTRY(h), 0);
        PyObject *text = NULL;
        if (PyTuple_GET_SIZE(attrs) == 0) {
            text = Py_NewRef(term);
        }
        else {
            /* f"{h.term}({h.entry.attrs[0]})" */
            PyObject *a = PyObject_Format(term, cl_empty_str);
            PyObject *b = a == NULL ? NULL : PyObject_Format(PyTuple_GET_ITEM(attrs, 0), cl_empty_str);
            text = b == NULL ? NULL : PyUnicode_FromFormat("%U(%U)", a, b);
            Py_XDECREF(a);
            Py_XDECREF(b);
        }
        int rc = text == NULL ? -1 : PyDict_SetItem(brands, term, Py_None);
        rc = rc < 0 ? rc : PyDict_SetItem(details, text, Py_None);
        Py_XDECREF(text);
        if (rc < 0) {
            Py_CLEAR(brands);
        }
    }
    if (brands != NULL && details != NULL) {
        brand = cl_joined(Py_NewRef(brands));
        detail = brand == NULL ? NULL : cl_joined(Py_NewRef(details));
    }
    Py_XDECREF(brands);
    Py_XDECREF(details);
    int rc = -1;
    if (detail != NULL) {
        PyObject *args[] = {d->names[K_LENDER], ntext, lenders, brand, detail};
        rc = cl_emit(d, signals, args, 3, cl_kw_value_detail);
    }
    Py_XDECREF(brand);
    Py_XDECREF(detail);
    return rc;
}

/* The chosen hits by kind (a new dict, or NULL with found holding none of them), or FALLBACK */
static PyObject *
choose(const Detector *d, PyObject *found, PyObject **chosen)
{
    *chosen = NULL;
    PyObject *kept = PyList_New(0);
    for (Py_ssize_t i = 0; kept != NULL && i < PyList_GET_SIZE(found); i++) {
        PyObject *h = PyList_GET_ITEM(found, i);
        if (!plain_hit(d, h)) {
            Py_DECREF(kept);
            return FALLBACK;
        }
        int keep = PySet_Contains(d->t[T_NAMED_KINDS], KIND(h));
        if (keep == 0 && PyTuple_GET_ITEM(h, 3) == Py_False) {
            keep = PySet_Contains(d->t[T_SIGNATURE_KINDS], KIND(h));
        }
        if (keep < 0 || (keep && PyList_Append(kept, h) < 0)) {
            Py_CLEAR(kept);
        }
    }
    if (kept == NULL || PyList_GET_SIZE(kept) == 0) {
        Py_XDECREF(kept);
        return kept == NULL ? NULL : Py_None;
    }
    PyObject *resolved = PyObject_Vectorcall(d->t[T_RESOLVE_OVERLAPS], &kept, 1, NULL);
    Py_DECREF(kept);
    PyObject *grouped = resolved == NULL ? NULL : PyObject_Vectorcall(d->t[T_BY_KIND], &resolved, 1, NULL);
    Py_XDECREF(resolved);
    if (grouped == NULL) {
        return NULL;
    }
    /* every group a list of the plain hits */
    PyObject *key, *value;
    Py_ssize_t pos = 0;
    int plain = PyDict_CheckExact(grouped);
    while (plain && PyDict_Next(grouped, &pos, &key, &value)) {
        plain = PyList_CheckExact(value);
        for (Py_ssize_t i = 0; plain && i < PyList_GET_SIZE(value); i++) {
            plain = plain_hit(d, PyList_GET_ITEM(value, i));
        }
    }
    if (!plain) {
        Py_DECREF(grouped);
        return FALLBACK;
    }
    *chosen = grouped;
    return Py_None;
}

static PyObject *
detect(const Detector *d, PyObject *ntext, PyObject *features)
{
    PyObject *read = PyObject_Vectorcall(d->t[T_READ], &ntext, 1, NULL);
    if (read == NULL) {
        return NULL;
    }
    if (!PyTuple_CheckExact(read) || PyTuple_GET_SIZE(read) != 2 || !PyList_CheckExact(PyTuple_GET_ITEM(read, 1))) {
        Py_DECREF(read);
        return FALLBACK;
    }
    PyObject *found = PyTuple_GET_ITEM(read, 1), *chosen = NULL, *signatures = NULL, *t = NULL, *signals = NULL;
    if (PyList_GET_SIZE(found) == 0) {
        Py_DECREF(read);
        return PyList_New(0);
    }
    PyObject *result = choose(d, found, &chosen);
    Py_DECREF(read);
    if (result != Py_None) {
        return result;
    }
    result = NULL;
    /* what the reference reads later, read now: a field that is not what the C reads goes to the reference */
    if ((signatures = PyObject_GetAttr(features, cl_s_signatures)) == NULL) {
        goto done;
    }
    int shaped = 0;
    PyObject *key, *value;
    Py_ssize_t pos = 0;
    while (!shaped && chosen != NULL && PyDict_Next(chosen, &pos, &key, &value)) {
        if ((shaped = PySet_Contains(d->t[T_SIGNATURE_KINDS], key)) < 0) {
            goto done;
        }
    }
    if (shaped && ((t = PyObject_GetAttr(ntext, cl_s_text)) == NULL || !PyUnicode_CheckExact(t))) {
        PyErr_Clear();
        result = FALLBACK;
        goto done;
    }
    if (!PyTuple_CheckExact(signatures)) {
        result = FALLBACK;
        goto done;
    }
    pos = 0;
    while (t != NULL && PyDict_Next(chosen, &pos, &key, &value)) {
        for (Py_ssize_t i = 0; i < PyList_GET_SIZE(value); i++) {
            if (POS(PyList_GET_ITEM(value, i), 2) > PyUnicode_GET_LENGTH(t)) {
                result = FALLBACK;
                goto done;
            }
        }
    }
    if ((signals = PyList_New(0)) == NULL) {
        goto done;
    }
    PyObject *companies = chosen_list(d, chosen, K_KNOWN_COMPANY), *lenders;
    if ((companies == NULL && PyErr_Occurred()) || (companies != NULL && PyList_GET_SIZE(companies) == 0)) {
        companies = NULL;
        if (PyErr_Occurred()) {
            goto done;
        }
    }
    if (companies != NULL && known_company(d, signals, ntext, companies) < 0) {
        goto done;
    }
    lenders = chosen_list(d, chosen, K_LENDER);
    if ((lenders == NULL && PyErr_Occurred()) || (lenders != NULL && PyList_GET_SIZE(lenders) == 0)) {
        lenders = NULL;
        if (PyErr_Occurred()) {
            goto done;
        }
    }
    if (lenders != NULL && lender(d, signals, ntext, lenders) < 0) {
        goto done;
    }
    if (companies != NULL || lenders != NULL) {
        PyObject *fuzzy = PyList_New(0);
        PyObject *groups[2] = {companies, lenders};
        for (int g = 0; fuzzy != NULL && g < 2; g++) {
            for (Py_ssize_t i = 0; groups[g] != NULL && fuzzy != NULL && i < PyList_GET_SIZE(groups[g]); i++) {
                PyObject *h = PyList_GET_ITEM(groups[g], i);
                if (PyTuple_GET_ITEM(h, 3) == Py_True && PyList_Append(fuzzy, h) < 0) {
                    Py_CLEAR(fuzzy);
                }
            }
        }
        int rc = fuzzy == NULL ? -1 : 0;
        if (rc == 0 && PyList_GET_SIZE(fuzzy) > 0) {
            PyObject *args[] = {d->names[K_OBFUSCATED], ntext, fuzzy};
            rc = cl_emit(d, signals, args, 3, NULL);
        }
        Py_XDECREF(fuzzy);
        if (rc < 0) {
            goto done;
        }
    }
    int directed = 0;
    if (shaped) {
        PyObject *context = PyObject_Vectorcall(d->t[T_CONTEXT_OF], &ntext, 1, NULL);
        PyObject *answer = context == NULL ? NULL : PyObject_Vectorcall(d->t[T_READER_DIRECTED], &context, 1, NULL);
        Py_XDECREF(context);
        directed = answer == NULL ? -1 : PyObject_IsTrue(answer);
        Py_XDECREF(answer);
        if (directed < 0 || (directed && cl_shape_signals(d, signals, ntext, t, chosen) < 0)) {
            goto done;
        }
    }
    if (cl_signature_signal(d, signals, ntext, signatures, chosen, directed) == 0) {
        result = Py_NewRef(signals);
    }
done:
    Py_XDECREF(signals);
    Py_XDECREF(chosen);
    Py_XDECREF(signatures);
    Py_XDECREF(t);
    return result;
}

static PyObject *
detector_vectorcall(PyObject *self, PyObject *const *args, size_t nargsf, PyObject *kwnames)
{
    Detector *d = (Detector *)self;
    PyObject *result = FALLBACK;
    if (PyVectorcall_NARGS(nargsf) == 3 && kwnames == NULL) {
        result = detect(d, args[1], args[2]);
    }
    if (result == FALLBACK) {
        return PyObject_Vectorcall(d->reference, args, nargsf, kwnames);
    }
    return result;
}

static PyTypeObject *detector_type;

static void
release(PyObject *self)
{
    PyMem_Free(((Detector *)self)->name_stop);
}

static int
read_index(PyObject *tables, const char *key, Py_ssize_t *out)
{
    PyObject *value = dt_table(tables, key);
    if (value == NULL) {
        return -1;
    }
    *out = PyLong_AsSsize_t(value);
    return *out == -1 && PyErr_Occurred() ? -1 : 0;
}

/* the tables' checks and conversions; 0, or -1 with an exception set */
static int
bind_tables(Detector *d, PyObject *tables)
{
    for (int i = 0; i < N_TABLES; i++) {
        PyObject *value = dt_table(tables, TABLE_KEYS[i]);
        if (value == NULL) {
            return -1;
        }
        d->t[i] = i == T_TAIL_MATCH ? PyObject_GetAttrString(value, "match") : Py_NewRef(value);
        if (d->t[i] == NULL) {
            return -1;
        }
    }
    if (!PyAnySet_CheckExact(d->t[T_NAMED_KINDS]) || !PyAnySet_CheckExact(d->t[T_SIGNATURE_KINDS])
        || !PyTuple_CheckExact(d->t[T_SIGNATURE_OWNERS]) || !PyTuple_CheckExact(d->t[T_NAMED_SHAPES])
        || !PyTuple_CheckExact(d->t[T_DEPARTMENTS]) || !PyDict_CheckExact(d->t[T_CONFIDENCE])
        || !PyTuple_CheckExact(d->t[T_NAME_VERBS])) {
        PyErr_SetString(PyExc_TypeError, "bind: a table of the wrong type");
        return -1;
    }
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(d->t[T_NAME_VERBS]); i++) {
        if (!PyUnicode_CheckExact(PyTuple_GET_ITEM(d->t[T_NAME_VERBS], i))) {
            PyErr_SetString(PyExc_TypeError, "bind: name_verbs must be strs");
            return -1;
        }
    }
    PyObject *names = dt_table(tables, "names"), *stop = dt_table(tables, "name_stop");
    if (names == NULL || stop == NULL || read_index(tables, "name_max", &d->name_max) < 0
        || read_index(tables, "name_min", &d->name_min) < 0
        || dt_hit_types(tables, &d->hit_type, &d->entry_type) < 0) {
        return -1;
    }
    if (!PyDict_Check(names)) {
        PyErr_SetString(PyExc_TypeError, "bind: names must be a dict");
        return -1;
    }
    d->signal_of = Py_NewRef(names);
    for (int k = 0; k < N_KINDS; k++) {
        if ((d->kinds[k] = PyUnicode_InternFromString(KIND_NAMES[k])) == NULL) {
            return -1;
        }
        if ((d->names[k] = Py_XNewRef(PyDict_GetItemWithError(names, d->kinds[k]))) == NULL) {
            return PyErr_Occurred() ? -1 : (PyErr_Format(PyExc_KeyError, "bind: no signal %s", KIND_NAMES[k]), -1);
        }
    }
    if ((d->one_company = PyTuple_Pack(1, d->kinds[K_KNOWN_COMPANY])) == NULL) {
        return -1;
    }
    PyObject *chars = PySequence_List(stop);
    if (chars == NULL) {
        return -1;
    }
    d->n_stop = PyList_GET_SIZE(chars);
    d->name_stop = PyMem_New(Py_UCS4, d->n_stop + 1);
    int rc = d->name_stop == NULL ? (PyErr_NoMemory(), -1) : 0;
    for (Py_ssize_t i = 0; rc == 0 && i < d->n_stop; i++) {
        PyObject *c = PyList_GET_ITEM(chars, i);
        if (!PyUnicode_Check(c) || PyUnicode_GET_LENGTH(c) != 1) {
            PyErr_SetString(PyExc_TypeError, "bind: name_stop must hold single characters");
            rc = -1;
        }
        else {
            d->name_stop[i] = PyUnicode_READ_CHAR(c, 0);
        }
    }
    Py_DECREF(chars);
    return rc;
}

static PyObject *
collector_bind(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (dt_bind_args(args, nargs) < 0) {
        return NULL;
    }
    Detector *d = DT_NEW(Detector, detector_type, detector_vectorcall, held, N_HELD);
    if (d == NULL) {
        return NULL;
    }
    d->head.release = release;
    d->reference = Py_NewRef(args[0]);
    if (bind_tables(d, args[1]) < 0) {
        Py_DECREF(d);
        return NULL;
    }
    return (PyObject *)d;
}

static PyMethodDef collector_methods[] = {
    {"bind", (PyCFunction)(void (*)(void))collector_bind, METH_FASTCALL,
     "bind(reference, tables): detect(message, text, features), the body of plugins/collector.py in C"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef collector_module = {
    PyModuleDef_HEAD_INIT, "smsguard_plugins._ccollector",
    "The collector-name checker's body in C (see plugins/collector.py).", -1, collector_methods,
    NULL, NULL, NULL, NULL,
};

static PyObject *
kwnames(const char *a, const char *b)
{
    PyObject *x = PyUnicode_InternFromString(a), *y = PyUnicode_InternFromString(b);
    PyObject *pair = x != NULL && y != NULL ? PyTuple_Pack(2, x, y) : NULL;
    Py_XDECREF(x);
    Py_XDECREF(y);
    return pair;
}

PyMODINIT_FUNC
PyInit__ccollector(void)
{
    if ((cl_s_text = PyUnicode_InternFromString("text")) == NULL
        || (cl_s_signatures = PyUnicode_InternFromString("signatures")) == NULL
        || (cl_s_nspan = PyUnicode_InternFromString("nspan")) == NULL
        || (cl_s_value = PyUnicode_InternFromString("value")) == NULL
        || (cl_s_end = PyUnicode_InternFromString("end")) == NULL
        || (cl_list_sep = PyUnicode_FromString("\u3001")) == NULL || (cl_empty_str = PyUnicode_New(0, 0)) == NULL
        || (cl_kw_value_confidence = kwnames("value", "confidence")) == NULL
        || (cl_kw_value_detail = kwnames("value", "detail")) == NULL
        || (cl_kw_nspans_value = kwnames("nspans", "value")) == NULL
        || (detector_type = dt_new_type("smsguard_plugins._ccollector.Detector",
                                        "detect(message, text, features): the collector detector's body (see bind)",
                                        sizeof(Detector), NULL)) == NULL) {
        return NULL;
    }
    return dt_module(&collector_module, detector_type);
}
