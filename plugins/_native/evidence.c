/* The shared evidence helpers of the built-in detectors in C (smsguard_plugins._cevidence): this file builds the
 * signals (make_signal, span_signal of plugins/_evidence.py), reads offset maps, and holds the module;
 * evidence_cues.c groups hits and holds the text cues; evidence_index.c reads hits and holds the proximity
 * tests. See evidence.h for the rules all three follow.
 */
#include "evidence.h"

#include <structmember.h>

ev_state EV;
PyObject ev_fallback_marker;

static const char *const REF_NAMES[N_REFS] = {
    "make_signal", "span_signal", "by_kind", "resolve_overlaps", "inside", "occurrences", "phrases",
    "context_of", "reader_directed", "impersonated", "negated", "HitIndex", "cue_before", "cue_after", "near",
};

/* make_signal's parameters, in the order of its signature */
enum { KW_NAME, KW_NTEXT, KW_HITS, KW_VALUE, KW_CONFIDENCE, KW_NSPANS, KW_DETAIL, N_KW = N_MAKE_SIGNAL_PARAMETERS };
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

/* A sequence of two exact ints (make_signal's nspans: a 2-tuple; span_signal's nspan and inside's spans: a
 * tuple or list of at least two, as indexing reads them). */
int
ev_read_nspan(PyObject *o, int exact_pair, ev_pair *out)
{
    if (!(PyTuple_CheckExact(o) || (PyList_CheckExact(o) && !exact_pair))) {
        return 0;
    }
    Py_ssize_t size = PySequence_Fast_GET_SIZE(o);
    if (exact_pair ? size != 2 : size < 2) {
        return 0;
    }
    PyObject **items = PySequence_Fast_ITEMS(o);
    return ev_as_index(items[0], &out->a) && ev_as_index(items[1], &out->b);
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

/* merged_nspans in place: sorted, the spans that overlap or touch merged; returns their number */
Py_ssize_t
ev_merge(ev_pair *p, Py_ssize_t n)
{
    if (n == 0) {
        return 0;
    }
    qsort(p, (size_t)n, sizeof(ev_pair), pair_order);
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

/* ---- the offset map of a NormalizedText ---- */

typedef struct {
    PyObject *starts, *ends;    /* strong references; NULL when the map is the identity */
    Py_ssize_t n, original_length;
} offset_map;

static int
read_map(PyObject *ntext, offset_map *m)
{
    m->starts = m->ends = NULL;
    if (Py_TYPE(ntext) != EV.ntext_type) {
        return 0;
    }
    PyObject *slot[4];
    for (int i = 0; i < 4; i++) {
        if ((slot[i] = *(PyObject **)((char *)ntext + EV.ntext_offsets[i])) == NULL) {
            return 0;
        }
    }
    if (slot[2] == Py_None || slot[3] == Py_None) {
        return 1;
    }
    if (!PyUnicode_CheckExact(slot[0]) || !PyUnicode_CheckExact(slot[1]) || !PyTuple_CheckExact(slot[2])
        || !PyTuple_CheckExact(slot[3])) {
        return 0;
    }
    m->original_length = PyUnicode_GET_LENGTH(slot[0]);
    m->n = PyUnicode_GET_LENGTH(slot[1]);
    m->starts = Py_NewRef(slot[2]);
    m->ends = Py_NewRef(slot[3]);
    return 1;
}

static void
free_map(offset_map *m)
{
    Py_CLEAR(m->starts);
    Py_CLEAR(m->ends);
}

/* NormalizedText.to_original on numbers; 0 where the reference would raise or the map holds other than ints. */
static int
to_original(const offset_map *m, ev_pair span, ev_pair *out)
{
    if (m->starts == NULL) {
        *out = span;
        return 1;
    }
    if (span.a >= span.b) {
        if (span.a >= m->n) {
            out->a = m->original_length;
        }
        else if (span.a >= PyTuple_GET_SIZE(m->starts)
                 || !ev_as_index(PyTuple_GET_ITEM(m->starts, span.a), &out->a)) {
            return 0;
        }
        out->b = out->a;
        return 1;
    }
    Py_ssize_t last = (span.b < m->n ? span.b : m->n) - 1;
    if (span.a >= PyTuple_GET_SIZE(m->starts) || last < 0 || last >= PyTuple_GET_SIZE(m->ends)) {
        return 0;
    }
    return ev_as_index(PyTuple_GET_ITEM(m->starts, span.a), &out->a)
           && ev_as_index(PyTuple_GET_ITEM(m->ends, last), &out->b);
}

/* ---- signals ---- */

/* _PLUGIN_OF[name] for an exact str name: the cache, filled as _PluginNames.__missing__ fills it. */
static PyObject *
plugin_of(PyObject *name)
{
    PyObject *plugin = PyDict_GetItemWithError(EV.plugin_of, name);
    if (plugin != NULL || PyErr_Occurred()) {
        return Py_XNewRef(plugin);
    }
    Py_ssize_t dot = PyUnicode_FindChar(name, '.', 0, PyUnicode_GET_LENGTH(name), 1);
    if (dot == -2) {
        return NULL;
    }
    plugin = dot < 0 ? Py_NewRef(name) : PyUnicode_Substring(name, 0, dot);
    if (plugin != NULL && PyDict_SetItem(EV.plugin_of, name, plugin) < 0) {
        Py_CLEAR(plugin);
    }
    return plugin;
}

/* Signal(name, value, confidence, spans, detail, _PLUGIN_OF[name]) with the n spans p; steals detail. */
static PyObject *
new_signal(PyObject *name, PyObject *value, PyObject *confidence, const ev_pair *p, Py_ssize_t n,
           PyObject *detail)
{
    PyObject *result = NULL, *plugin = NULL, *spans = detail == NULL ? NULL : PyTuple_New(n);
    for (Py_ssize_t i = 0; spans != NULL && i < n; i++) {
        PyObject *span = sg_span(p[i].a, p[i].b);
        if (span == NULL) {
            Py_CLEAR(spans);
            break;
        }
        PyTuple_SET_ITEM(spans, i, span);
    }
    if (spans != NULL && (plugin = plugin_of(name)) != NULL) {
        PyObject *values[6] = {name, value, confidence, spans, detail, plugin};
        result = sg_record_new(&EV.signal, values);
    }
    Py_XDECREF(spans);
    Py_XDECREF(detail);
    Py_XDECREF(plugin);
    return result;
}

/* terms_of: the distinct terms of the hits, in order, joined by 、 */
static PyObject *
terms_of(const ev_hits *hs)
{
    /* a signal has a few hits, where a list search beats a set; a long text may give it thousands */
    PyObject *distinct = PyList_New(0), *seen = hs->n > EV_SMALL ? PySet_New(NULL) : NULL;
    if (distinct == NULL || (hs->n > EV_SMALL && seen == NULL)) {
        Py_XDECREF(distinct);
        return NULL;
    }
    for (Py_ssize_t i = 0; distinct != NULL && i < hs->n; i++) {
        PyObject *term = PyTuple_GET_ITEM(hs->hits[i].entry, 0);
        Py_ssize_t count = PyList_GET_SIZE(distinct), j = 0;
        int found = seen != NULL ? PySet_Contains(seen, term) : 0;
        while (seen == NULL && j < count && PyList_GET_ITEM(distinct, j) != term
               && PyUnicode_Compare(PyList_GET_ITEM(distinct, j), term) != 0) {
            j++;
        }
        found = seen == NULL ? j < count : found;
        if (found < 0 || (!found && (PyList_Append(distinct, term) < 0 || (seen && PySet_Add(seen, term) < 0)))) {
            Py_CLEAR(distinct);
        }
    }
    Py_XDECREF(seen);
    if (distinct == NULL) {
        return NULL;
    }
    PyObject *joined = PyUnicode_Join(EV.list_sep, distinct);
    Py_DECREF(distinct);
    return joined;
}

static PyObject *
make_signal_fast(PyObject *name, PyObject *ntext, PyObject *hits, PyObject *value, PyObject *confidence,
                 PyObject *nspans, PyObject *detail)
{
    if (!PyUnicode_CheckExact(name) || !(PyList_CheckExact(hits) || PyTuple_CheckExact(hits))
        || !(PyList_CheckExact(nspans) || PyTuple_CheckExact(nspans))) {
        return FALLBACK;
    }
    Py_ssize_t n_extra = PySequence_Fast_GET_SIZE(nspans), n_hits = PySequence_Fast_GET_SIZE(hits);
    ev_pair small[EV_SMALL], *p = n_hits + n_extra <= EV_SMALL ? small : PyMem_New(ev_pair, n_hits + n_extra);
    if (p == NULL) {
        return PyErr_NoMemory();
    }
    /* nspans first, before anything is allocated */
    int ok = 1;
    for (Py_ssize_t i = 0; ok && i < n_extra; i++) {
        ok = ev_read_nspan(PySequence_Fast_GET_ITEM(nspans, i), 1, &p[n_hits + i]);
    }
    ev_hits hs;
    hs.snapshot = NULL;
    hs.hits = hs.small;
    hs.n = hs.held = 0;
    offset_map map = {NULL};
    ok = ok ? ev_read_hits(hits, &hs) : 0;
    if (ok > 0 && (!read_map(ntext, &map) || hs.n != n_hits)) {
        ok = 0;
    }
    int fuzzy = 0, one_hit = hs.n == 1 && n_extra == 0, one_span = hs.n == 0 && n_extra == 1;
    Py_ssize_t n = 1;
    for (Py_ssize_t i = 0; ok > 0 && i < hs.n; i++) {
        p[i] = hs.hits[i].span;
        fuzzy |= hs.hits[i].fuzzy;
    }
    if (ok > 0 && (one_hit || one_span)) {
        ok = to_original(&map, p[0], &p[0]);
    }
    else if (ok > 0) {
        /* original_spans: merged in the normalized text, mapped, then sorted and each kept once */
        n = ev_merge(p, hs.n + n_extra);
        for (Py_ssize_t i = 0; ok && i < n; i++) {
            ok = to_original(&map, p[i], &p[i]);
        }
        if (ok && n > 1) {
            qsort(p, (size_t)n, sizeof(ev_pair), pair_order);
            Py_ssize_t m = 0;
            for (Py_ssize_t i = 1; i < n; i++) {
                if (p[i].a != p[m].a || p[i].b != p[m].b) {
                    p[++m] = p[i];
                }
            }
            n = m + 1;
        }
    }
    free_map(&map);
    PyObject *result = ok < 0 ? NULL : FALLBACK;
    if (ok > 0) {
        confidence = fuzzy ? PyNumber_InPlaceMultiply(confidence, EV.fuzzy_confidence) : Py_NewRef(confidence);
        if (confidence != NULL) {
            detail = detail != Py_None ? Py_NewRef(detail)
                     : one_hit         ? Py_NewRef(PyTuple_GET_ITEM(hs.hits[0].entry, 0))
                     : one_span        ? Py_NewRef(EV.empty_str)
                                       : terms_of(&hs);
            result = new_signal(name, value, confidence, p, n, detail);
            Py_DECREF(confidence);
        }
        else {
            result = NULL;
        }
    }
    ev_free_hits(&hs);
    if (p != small) {
        PyMem_Free(p);
    }
    return result;
}

static PyObject *
evidence_make_signal(PyObject *module, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    PyObject *a[N_KW] = {NULL};
    /* name, ntext and hits by position or keyword, the others by keyword only */
    if (!EV.bound || nargs > KW_HITS + 1
        || !ev_bind_arguments(args, nargs, kwnames, ev_make_signal_parameters, N_KW, a) || a[KW_NAME] == NULL
        || a[KW_NTEXT] == NULL) {
        return ev_call_reference(REF_MAKE_SIGNAL, args, nargs, kwnames);
    }
    PyObject *result = make_signal_fast(
        a[KW_NAME], a[KW_NTEXT], a[KW_HITS] ? a[KW_HITS] : EV.empty_tuple, a[KW_VALUE] ? a[KW_VALUE] : Py_True,
        a[KW_CONFIDENCE] ? a[KW_CONFIDENCE] : EV.one, a[KW_NSPANS] ? a[KW_NSPANS] : EV.empty_tuple,
        a[KW_DETAIL] ? a[KW_DETAIL] : Py_None);
    return OR_REFERENCE(REF_MAKE_SIGNAL, result, args, nargs, kwnames);
}

static PyObject *
evidence_span_signal(PyObject *module, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    PyObject *named[N_SPAN_SIGNAL_PARAMETERS] = {NULL};
    PyObject *const *a = named;
    ev_pair span;
    offset_map map;
    int bound = EV.bound && nargs == N_SPAN_SIGNAL_PARAMETERS && kwnames == NULL;   /* as the detectors call it */
    if (bound) {
        a = args;
    }
    else if (EV.bound && ev_bind_arguments(args, nargs, kwnames, ev_span_signal_parameters,
                                           N_SPAN_SIGNAL_PARAMETERS, named)) {
        bound = 1;
        for (int i = 0; i < N_SPAN_SIGNAL_PARAMETERS; i++) {
            bound &= named[i] != NULL;
        }
    }
    if (!bound || !PyUnicode_CheckExact(a[0]) || !ev_read_nspan(a[2], 0, &span) || !read_map(a[1], &map)) {
        return ev_call_reference(REF_SPAN_SIGNAL, args, nargs, kwnames);
    }
    int ok = to_original(&map, span, &span);
    free_map(&map);
    if (!ok) {
        return ev_call_reference(REF_SPAN_SIGNAL, args, nargs, kwnames);
    }
    return new_signal(a[0], a[3], EV.one, &span, 1, Py_NewRef(a[4]));
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
