/* The shared evidence helpers of the built-in detectors in C (smsguard_plugins._cevidence): this file holds the
 * module, its bindings, the span merging and phrases; evidence_signals.c builds the signals (make_signal,
 * span_signal of plugins/_evidence.py); evidence_cues.c groups hits and holds the text cues; evidence_index.c
 * reads hits and holds the proximity tests. See evidence.h for the rules all four follow.
 */
#include "evidence.h"

#include <structmember.h>

ev_state EV;
PyObject ev_fallback_marker;
static const char *const REF_NAMES[N_REFS] = {
    "make_signal", "span_signal", "by_kind", "resolve_overlaps", "inside", "occurrences", "phrases",
    "context_of", "reader_directed", "impersonated", "negated", "HitIndex", "cue_before", "cue_after", "near",
};

PyObject *
ev_call_reference(int which, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    PyObject *ref = EV.refs[which];
    if (ref == NULL) {
        PyErr_Format(PyExc_RuntimeError, "smsguard_plugins._cevidence.%s: the Python reference is not bound",
                     REF_NAMES[which]);
        return NULL;
    }
    return PyObject_Vectorcall(ref, args, nargs, kwnames);
}

static int
pair_order(const void *x, const void *y)
{
    const ev_pair *p = x, *q = y;
    if (p->a != q->a) {
        return p->a < q->a ? -1 : 1;
    }
    return (p->b > q->b) - (p->b < q->b);
}

/* p sorted by pair_order: a signal's few spans by insertion, which beats qsort's calls through a pointer */
void
ev_sort_pairs(ev_pair *p, Py_ssize_t n)
{
    if (n > EV_SMALL) {
        qsort(p, (size_t)n, sizeof(ev_pair), pair_order);
        return;
    }
    for (Py_ssize_t i = 1; i < n; i++) {
        ev_pair x = p[i];
        Py_ssize_t j = i;
        for (; j > 0 && (p[j - 1].a > x.a || (p[j - 1].a == x.a && p[j - 1].b > x.b)); j--) {
            p[j] = p[j - 1];
        }
        p[j] = x;
    }
}

/* merged_nspans in place: sorted, the spans that overlap or touch merged; returns their number */
Py_ssize_t
ev_merge(ev_pair *p, Py_ssize_t n)
{
    if (n == 0) {
        return 0;
    }
    ev_sort_pairs(p, n);
    Py_ssize_t m = 0;
    for (Py_ssize_t i = 1; i < n; i++) {
        if (p[i].a > p[m].b) {
            p[++m] = p[i];
        }
        else if (p[i].b > p[m].b) {
            p[m].b = p[i].b;
        }
    }
    return m + 1;
}

/* ---- the hit groupings, which evidence_cues.c computes ---- */

#define GROUPING(name, which, what)                                                                   \
    static PyObject *evidence_##name(PyObject *module, PyObject *const *args, Py_ssize_t nargs,       \
                                     PyObject *kwnames)                                               \
    {                                                                                                 \
        PyObject *result = EV.bound && nargs == 1 && kwnames == NULL ? ev_group(args[0], what) : FALLBACK; \
        return OR_REFERENCE(which, result, args, nargs, kwnames);                                     \
    }
GROUPING(by_kind, REF_BY_KIND, GROUP)
GROUPING(resolve_overlaps, REF_RESOLVE_OVERLAPS, RESOLVE)
GROUPING(occurrences, REF_OCCURRENCES, COUNT)

static PyObject *
evidence_phrases(PyObject *module, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    ev_hits hs;
    int ok = EV.bound && nargs == 2 && kwnames == NULL && PyUnicode_CheckExact(args[0]) ? ev_read_hits(args[1], &hs)
                                                                                         : 0;
    if (ok <= 0) {
        return ok < 0 ? NULL : ev_call_reference(REF_PHRASES, args, nargs, kwnames);
    }
    ev_pair *p = PyMem_New(ev_pair, hs.n + 1);
    for (Py_ssize_t i = 0; p != NULL && i < hs.n; i++) {
        p[i] = hs.hits[i].span;
    }
    Py_ssize_t n = p == NULL ? 0 : ev_merge(p, hs.n);
    ev_free_hits(&hs);
    PyObject *words = p == NULL ? PyErr_NoMemory() : PyList_New(n);
    for (Py_ssize_t i = 0; words != NULL && i < n; i++) {
        PyObject *word = PyUnicode_Substring(args[0], p[i].a, p[i].b);
        if (word == NULL) {
            Py_CLEAR(words);
            break;
        }
        PyList_SET_ITEM(words, i, word);
    }
    PyMem_Free(p);
    return words;
}

/* ---- binding ---- */

static int
bind_references(PyObject *refs)
{
    if (!PyDict_Check(refs)) {
        PyErr_SetString(PyExc_TypeError, "references must be a dict");
        return -1;
    }
    PyObject *key, *value;
    Py_ssize_t pos = 0;
    while (PyDict_Next(refs, &pos, &key, &value)) {
        int i = 0;
        while (i < N_REFS && !(PyUnicode_Check(key) && PyUnicode_CompareWithASCIIString(key, REF_NAMES[i]) == 0)) {
            i++;
        }
        if (i == N_REFS || !PyCallable_Check(value)) {
            PyErr_Format(PyExc_ValueError, "not a reference function: %R", key);
            return -1;
        }
        Py_XSETREF(EV.refs[i], Py_NewRef(value));
    }
    return 0;
}

static PyObject *
evidence_bind_evidence(PyObject *module, PyObject *args)
{
    static const char *const signal_fields[] = {"name", "value", "confidence", "spans", "detail", "plugin", NULL};
    static const char *const ntext_fields[] = {"original", "text", "starts", "ends"};
    PyObject *signal, *ntext, *hit, *entry, *plugin_names, *fuzzy, *refs;
    if (!PyArg_ParseTuple(args, "O!O!O!O!O!OO:bind_evidence", &PyType_Type, &signal, &PyType_Type, &ntext,
                          &PyType_Type, &hit, &PyType_Type, &entry, &PyDict_Type, &plugin_names, &fuzzy, &refs)) {
        return NULL;
    }
    if (!PyType_IsSubtype((PyTypeObject *)hit, &PyTuple_Type)
        || !PyType_IsSubtype((PyTypeObject *)entry, &PyTuple_Type)) {
        PyErr_SetString(PyExc_TypeError, "TermHit and Entry must be tuples");
        return NULL;
    }
    Py_ssize_t offsets[4];
    for (int i = 0; i < 4; i++) {
        if ((offsets[i] = sg_slot_offset_of(ntext, ntext_fields[i])) < 0) {
            return NULL;
        }
    }
    sg_record record;
    if (sg_record_init(&record, signal, signal_fields) < 0) {
        return NULL;
    }
    if (bind_references(refs) < 0) {
        sg_record_clear(&record);
        return NULL;
    }
    sg_record_clear(&EV.signal);
    EV.signal = record;
    memcpy(EV.ntext_offsets, offsets, sizeof(offsets));
    Py_XSETREF(EV.ntext_type, (PyTypeObject *)Py_NewRef(ntext));
    Py_XSETREF(EV.hit_type, (PyTypeObject *)Py_NewRef(hit));
    Py_XSETREF(EV.entry_type, (PyTypeObject *)Py_NewRef(entry));
    Py_XSETREF(EV.plugin_of, Py_NewRef(plugin_names));
    ev_bind_signals();
    Py_XSETREF(EV.fuzzy_confidence, Py_NewRef(fuzzy));
    EV.bound = 1;
    Py_RETURN_NONE;
}

static PyObject *
evidence_bind_cues(PyObject *module, PyObject *args)
{
    PyObject *globals, *refs, *words = NULL;
    if (!PyArg_ParseTuple(args, "O!O|O!:bind_cues", &PyDict_Type, &globals, &refs, &PyDict_Type, &words)
        || bind_references(refs) < 0 || (words != NULL && ev_bind_words(words) < 0)) {
        return NULL;
    }
    if (words == NULL && EV.words[0].chars == NULL) {
        PyErr_SetString(PyExc_TypeError, "bind_cues: the first binding needs the words");
        return NULL;
    }
    Py_XSETREF(EV.cues, Py_NewRef(globals));
    Py_RETURN_NONE;
}

#define FAST(name, doc) {#name, (PyCFunction)(void (*)(void))evidence_##name, METH_FASTCALL | METH_KEYWORDS, doc}
static PyMethodDef evidence_methods[] = {
    FAST(make_signal, "make_signal(name, ntext, hits=(), *, value=True, confidence=1.0, nspans=(), detail=None)"),
    FAST(span_signal, "span_signal(name, ntext, nspan, value, detail)"),
    FAST(by_kind, "by_kind(hits)"),
    FAST(resolve_overlaps, "resolve_overlaps(hits)"),
    FAST(inside, "inside(hit, spans)"),
    FAST(occurrences, "occurrences(hits)"),
    FAST(phrases, "phrases(text, hits)"),
    FAST(context_of, "context_of(ntext)"),
    FAST(reader_directed, "reader_directed(grouped)"),
    FAST(impersonated, "impersonated(text, start)"),
    FAST(negated, "negated(text, start, end)"),
    FAST(near, "near(text, a, b, within, *, clause=False)"),
    FAST(cue_before, "cue_before(text, cues, hit, within, *, clause=False)"),
    FAST(cue_after, "cue_after(text, cues, hit, within, *, clause=False)"),
    {"bind_evidence", evidence_bind_evidence, METH_VARARGS,
     "bind_evidence(Signal, NormalizedText, TermHit, Entry, plugin_names, fuzzy_confidence, references)"},
    {"bind_cues", evidence_bind_cues, METH_VARARGS, "bind_cues(cues_globals, references, words=None)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef evidence_module = {
    PyModuleDef_HEAD_INIT, "smsguard_plugins._cevidence",
    "C versions of the shared evidence helpers of the built-in detectors (see plugins/_evidence.py).", -1,
    evidence_methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC
PyInit__cevidence(void)
{
    static const char *const interned[] = {"debt", "address", "request", "framing", "read", "CONTEXT_TERMS",
                                           "_CONTEXT_LAST"};
    PyObject **slots[] = {&EV.s_debt, &EV.s_address, &EV.s_request, &EV.s_framing, &EV.s_read,
                          &EV.s_context_terms, &EV.s_context_last};
    if (ev_intern_parameters() < 0) {
        return NULL;
    }
    for (size_t i = 0; i < sizeof(slots) / sizeof(slots[0]); i++) {
        if ((*slots[i] = PyUnicode_InternFromString(interned[i])) == NULL) {
            return NULL;
        }
    }
    if ((EV.one = PyFloat_FromDouble(1.0)) == NULL || (EV.empty_tuple = PyTuple_New(0)) == NULL
        || (EV.empty_str = PyUnicode_New(0, 0)) == NULL || (EV.list_sep = PyUnicode_FromString("\u3001")) == NULL) {
        return NULL;
    }
    if (PyType_Ready(&ev_hit_index_type) < 0) {
        return NULL;
    }
    PyObject *module = PyModule_Create(&evidence_module);
    if (module != NULL && PyModule_AddObjectRef(module, "HitIndex", (PyObject *)&ev_hit_index_type) < 0) {
        Py_CLEAR(module);
    }
    return module;
}
