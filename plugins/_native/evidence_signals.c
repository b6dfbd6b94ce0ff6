/* smsguard_plugins._cevidence, second part: the signals (make_signal, span_signal of plugins/_evidence.py) and the
 * offset maps they are mapped through. A signal is built from numbers read before anything is allocated; the
 * plugin name of a signal name and the binding of a keyword-name tuple are kept by identity. See evidence.h for
 * the rules all parts follow.
 */
#include "evidence.h"

/* The Signal is its six fields, each a plain object slot, and allocated by PyType_GenericAlloc: new_signal then
 * allocates it unzeroed and fills every slot before it is tracked, as a tuple is built. */

/* The caches below are keyed by identity, each key a strong reference (so no other object takes its address): the
 * slot of key in keys (2**bits of them) is one of the CACHE_WAYS after its hash; *found says whether it holds the
 * key, else the slot is an empty one there or the first. Objects of one size lie multiples of 16 bytes apart. */
#define CACHE_WAYS 4
static size_t
cache_slot(PyObject *const *keys, int bits, PyObject *key, int *found)
{
    size_t first = (size_t)((uint64_t)((uintptr_t)key >> 4) * UINT64_C(0x9E3779B97F4A7C15) >> (64 - bits));
    size_t mask = ((size_t)1 << bits) - 1, empty = first;
    int seen_empty = 0;
    for (size_t i = 0; i < CACHE_WAYS; i++) {
        size_t slot = (first + i) & mask;
        if (keys[slot] == key) {
            *found = 1;
            return slot;
        }
        if (keys[slot] == NULL && !seen_empty) {
            empty = slot;
            seen_empty = 1;
        }
    }
    *found = 0;
    return empty;
}

/* make_signal's parameters, in the order of its signature */
enum { KW_NAME, KW_NTEXT, KW_HITS, KW_VALUE, KW_CONFIDENCE, KW_NSPANS, KW_DETAIL, N_KW = N_MAKE_SIGNAL_PARAMETERS };

/* ---- the offset map of a NormalizedText ---- */

/* Borrowed from the NormalizedText, so used before anything is allocated (see evidence.h). */
typedef struct {
    PyObject *starts, *ends;    /* NULL when the map is the identity */
    Py_ssize_t n, original_length;
} offset_map;

#define NTEXT_SLOT(ntext, i) (*(PyObject **)((char *)(ntext) + EV.ntext_offsets[i]))

/* The fields to_original reads, as it reads them: starts and ends first, which are None for the identity */
static int
read_map(PyObject *ntext, offset_map *m)
{
    m->starts = m->ends = NULL;
    if (Py_TYPE(ntext) != EV.ntext_type) {
        return 0;
    }
    PyObject *starts = NTEXT_SLOT(ntext, 2), *ends, *original, *text;
    if (starts == Py_None) {
        return 1;
    }
    if (starts == NULL || (ends = NTEXT_SLOT(ntext, 3)) == NULL) {
        return 0;
    }
    if (ends == Py_None) {
        return 1;
    }
    original = NTEXT_SLOT(ntext, 0);
    text = NTEXT_SLOT(ntext, 1);
    if (original == NULL || text == NULL || !PyUnicode_CheckExact(original) || !PyUnicode_CheckExact(text)
        || !PyTuple_CheckExact(starts) || !PyTuple_CheckExact(ends)) {
        return 0;
    }
    m->original_length = PyUnicode_GET_LENGTH(original);
    m->n = PyUnicode_GET_LENGTH(text);
    m->starts = starts;
    m->ends = ends;
    return 1;
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

/* to_original of one span, and the ints the reference's (start, end) holds (borrowed; NULL for one it makes):
 * the given start and end (in_a, in_b) where the map is the identity, the map's own where it maps. */
static int
to_original_objects(const offset_map *m, ev_pair span, PyObject *in_a, PyObject *in_b, ev_pair *out,
                    PyObject **objs)
{
    if (!to_original(m, span, out)) {
        return 0;
    }
    if (m->starts == NULL) {
        objs[0] = in_a;
        objs[1] = in_b;
    }
    else if (span.a >= span.b) {
        objs[0] = objs[1] = span.a >= m->n ? NULL : PyTuple_GET_ITEM(m->starts, span.a);
    }
    else {
        objs[0] = PyTuple_GET_ITEM(m->starts, span.a);
        objs[1] = PyTuple_GET_ITEM(m->ends, (span.b < m->n ? span.b : m->n) - 1);
    }
    return 1;
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

/* _PLUGIN_OF[name] by the name's identity, for the names the detectors keep: a cache of (name, plugin) pairs,
 * each a strong reference, emptied whenever the dict's version tag shows it changed. */
#if PY_VERSION_HEX < 0x030C0000
#define PLUGIN_CACHE_BITS 8
#define PLUGIN_CACHE (1 << PLUGIN_CACHE_BITS)
static PyObject *plugin_cache_names[PLUGIN_CACHE], *plugin_cache_plugins[PLUGIN_CACHE];
static uint64_t plugin_cache_version;

static void
clear_plugin_cache(void)
{
    for (int i = 0; i < PLUGIN_CACHE; i++) {
        Py_CLEAR(plugin_cache_names[i]);
        Py_CLEAR(plugin_cache_plugins[i]);
    }
}

static void
check_plugin_cache(void)
{
    uint64_t version = ((PyDictObject *)EV.plugin_of)->ma_version_tag;
    if (version != plugin_cache_version) {
        plugin_cache_version = version;
        clear_plugin_cache();
    }
}

static PyObject *
cached_plugin_of(PyObject *name)
{
    check_plugin_cache();
    int found;
    size_t slot = cache_slot(plugin_cache_names, PLUGIN_CACHE_BITS, name, &found);
    if (found) {
        return Py_NewRef(plugin_cache_plugins[slot]);
    }
    PyObject *plugin = plugin_of(name);
    if (plugin != NULL) {
        check_plugin_cache();   /* plugin_of may have filled the dict */
        Py_XSETREF(plugin_cache_names[slot], Py_NewRef(name));
        Py_XSETREF(plugin_cache_plugins[slot], Py_NewRef(plugin));
    }
    return plugin;
}
#else
#define clear_plugin_cache() ((void)0)
#define cached_plugin_of plugin_of
#endif

/* Signal(name, value, confidence, spans, detail, _PLUGIN_OF[name]) with the n spans p; steals detail. The one
 * span's ints are objs[0] and objs[1] where both are given (strong references, stolen), else made. */
static PyObject *
new_signal(PyObject *name, PyObject *value, PyObject *confidence, const ev_pair *p, Py_ssize_t n,
           PyObject *const *objs, PyObject *detail)
{
    PyObject *a = objs == NULL ? NULL : objs[0], *b = objs == NULL ? NULL : objs[1];
    PyObject *result = NULL, *plugin = NULL, *spans = detail == NULL ? NULL : PyTuple_New(n);
    if (spans != NULL && a != NULL && b != NULL) {
        PyObject *span = PyTuple_New(2);
        if (span == NULL) {
            Py_CLEAR(spans);
        }
        else {
            PyTuple_SET_ITEM(span, 0, a);
            PyTuple_SET_ITEM(span, 1, b);
            PyTuple_SET_ITEM(spans, 0, span);
            a = b = NULL;
        }
    }
    else {
        for (Py_ssize_t i = 0; spans != NULL && i < n; i++) {
            PyObject *span = sg_span(p[i].a, p[i].b);
            if (span == NULL) {
                Py_CLEAR(spans);
                break;
            }
            PyTuple_SET_ITEM(spans, i, span);
        }
    }
    Py_XDECREF(a);
    Py_XDECREF(b);
    if (spans != NULL && (plugin = cached_plugin_of(name)) != NULL) {
        PyObject *values[6] = {name, value, confidence, spans, detail, plugin};
        result = sg_record_new(&EV.signal, values);
    }
    Py_XDECREF(spans);
    Py_XDECREF(detail);
    Py_XDECREF(plugin);
    return result;
}

/* "、".join(items) for 2 to EV_SMALL exact strs, without the list PyUnicode_Join needs */
static PyObject *
join_terms(PyObject *const *items, Py_ssize_t n)
{
    PyObject *sep = EV.list_sep;
    Py_ssize_t length = (n - 1) * PyUnicode_GET_LENGTH(sep);
    Py_UCS4 maxchar = PyUnicode_MAX_CHAR_VALUE(sep);
    for (Py_ssize_t i = 0; i < n; i++) {
        if (PyUnicode_GET_LENGTH(items[i]) > PY_SSIZE_T_MAX / 2 - length) {
            return PyErr_NoMemory();
        }
        length += PyUnicode_GET_LENGTH(items[i]);
        maxchar = Py_MAX(maxchar, PyUnicode_MAX_CHAR_VALUE(items[i]));
    }
    PyObject *joined = PyUnicode_New(length, maxchar);
    if (joined == NULL) {
        return NULL;
    }
    int kind = PyUnicode_KIND(joined);
    void *data = PyUnicode_DATA(joined);
    Py_ssize_t at = 0;
    for (Py_ssize_t i = 0; i < 2 * n - 1; i++) {
        PyObject *part = i % 2 ? sep : items[i / 2];
        Py_ssize_t size = PyUnicode_GET_LENGTH(part);
        int part_kind = PyUnicode_KIND(part);
        const void *part_data = PyUnicode_DATA(part);
        if (part_kind == kind) {
            memcpy((char *)data + at * kind, part_data, (size_t)size * kind);
        }
        else {
            for (Py_ssize_t j = 0; j < size; j++) {
                PyUnicode_WRITE(kind, data, at + j, PyUnicode_READ(part_kind, part_data, j));
            }
        }
        at += size;
    }
    return joined;
}

/* terms_of: the distinct terms of the hits, in order, joined by 、 */
static PyObject *
terms_of(const ev_hits *hs)
{
    if (hs->n <= EV_SMALL) {
        /* borrowed: the hits, held by hs, hold their entries */
        PyObject *distinct[EV_SMALL];
        Py_ssize_t count = 0;
        for (Py_ssize_t i = 0; i < hs->n; i++) {
            PyObject *term = PyTuple_GET_ITEM(hs->hits[i].entry, 0);
            Py_ssize_t j = 0;
            while (j < count && !sg_same_str(distinct[j], term)) {
                j++;
            }
            if (j == count) {
                distinct[count++] = term;
            }
        }
        /* str.join gives back the one item of a list of one exact str */
        return count == 0 ? Py_NewRef(EV.empty_str) : count == 1 ? Py_NewRef(distinct[0])
                                                                 : join_terms(distinct, count);
    }
    /* a long text may give a signal thousands of hits */
    PyObject *distinct = PyList_New(0), *seen = PySet_New(NULL);
    if (distinct == NULL || seen == NULL) {
        Py_XDECREF(distinct);
        Py_XDECREF(seen);
        return NULL;
    }
    for (Py_ssize_t i = 0; distinct != NULL && i < hs->n; i++) {
        PyObject *term = PyTuple_GET_ITEM(hs->hits[i].entry, 0);
        int found = PySet_Contains(seen, term);
        if (found < 0 || (!found && (PyList_Append(distinct, term) < 0 || PySet_Add(seen, term) < 0))) {
            Py_CLEAR(distinct);
        }
    }
    Py_DECREF(seen);
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
    if (ok && n_hits <= EV_SMALL) {
        /* a signal's few hits, borrowed: read, and their terms taken, before anything runs that could free them */
        PyObject **items = PySequence_Fast_ITEMS(hits);
        for (Py_ssize_t i = 0; ok && i < n_hits; i++) {
            ok = ev_read_hit(items[i], &hs.small[i]);
        }
        hs.n = ok ? n_hits : 0;
    }
    else if (ok) {
        ok = ev_read_hits(hits, &hs);
    }
    if (ok > 0 && (!read_map(ntext, &map) || hs.n != n_hits)) {
        ok = 0;
    }
    int fuzzy = 0, one_hit = hs.n == 1 && n_extra == 0, one_span = hs.n == 0 && n_extra == 1;
    Py_ssize_t n = 1;
    for (Py_ssize_t i = 0; ok > 0 && i < hs.n; i++) {
        p[i] = hs.hits[i].span;
        fuzzy |= hs.hits[i].fuzzy;
    }
    /* the multiplication of an odd confidence may run code, which could change the hits before the reference
     * reads their terms: the reference takes it */
    if (ok > 0 && fuzzy && !((PyFloat_CheckExact(confidence) || PyLong_CheckExact(confidence))
                             && PyFloat_CheckExact(EV.fuzzy_confidence))) {
        ok = 0;
    }
    PyObject *objs[2] = {NULL, NULL};
    if (ok > 0 && (one_hit || one_span)) {
        PyObject *given = one_hit ? hs.hits[0].hit : PySequence_Fast_GET_ITEM(nspans, 0);
        int at = one_hit ? 1 : 0;  /* TermHit(entry, start, end, fuzzy); an nspan (start, end) */
        ok = to_original_objects(&map, p[0], PyTuple_GET_ITEM(given, at), PyTuple_GET_ITEM(given, at + 1), &p[0],
                                 objs);
        Py_XINCREF(objs[0]);
        Py_XINCREF(objs[1]);
    }
    else if (ok > 0) {
        /* original_spans: merged in the normalized text, mapped, then sorted and each kept once */
        n = ev_merge(p, hs.n + n_extra);
        for (Py_ssize_t i = 0; ok && i < n; i++) {
            ok = to_original(&map, p[i], &p[i]);
        }
        if (ok && n > 1) {
            ev_sort_pairs(p, n);
            Py_ssize_t m = 0;
            for (Py_ssize_t i = 1; i < n; i++) {
                if (p[i].a != p[m].a || p[i].b != p[m].b) {
                    p[++m] = p[i];
                }
            }
            n = m + 1;
        }
    }
    PyObject *result = ok < 0 ? NULL : FALLBACK;
    if (ok > 0) {
        /* terms_of allocates only the str it returns, which runs no code: the borrowed hits are still there */
        detail = detail != Py_None ? Py_NewRef(detail)
                 : one_hit         ? Py_NewRef(PyTuple_GET_ITEM(hs.hits[0].entry, 0))
                 : one_span        ? Py_NewRef(EV.empty_str)
                                   : terms_of(&hs);
        confidence = detail == NULL ? NULL
                     : fuzzy        ? PyNumber_InPlaceMultiply(confidence, EV.fuzzy_confidence)
                                    : Py_NewRef(confidence);
        if (confidence != NULL) {
            result = new_signal(name, value, confidence, p, n, one_hit || one_span ? objs : NULL, detail);
            Py_DECREF(confidence);
        }
        else {
            Py_XDECREF(detail);
            Py_XDECREF(objs[0]);
            Py_XDECREF(objs[1]);
            result = NULL;
        }
    }
    ev_free_hits(&hs);
    if (p != small) {
        PyMem_Free(p);
    }
    return result;
}

/* The kwnames tuples the detectors pass on every call, each bound once: the tuple (a strong reference, so no
 * other tuple takes its address) and the parameter of each of its keywords. */
#define KW_CACHE_BITS 6
#define KW_CACHE (1 << KW_CACHE_BITS)
static PyObject *kw_cache_keys[KW_CACHE];
static int kw_cache_index[KW_CACHE][N_KW];

static void
clear_kw_cache(void)
{
    for (int i = 0; i < KW_CACHE; i++) {
        Py_CLEAR(kw_cache_keys[i]);
    }
}

/* ev_bind_arguments for make_signal: name, ntext and hits by position or keyword, the others by keyword only */
static int
bind_make_signal(PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames, PyObject **a)
{
    if (nargs > KW_HITS + 1) {
        return 0;
    }
    for (Py_ssize_t i = 0; i < nargs; i++) {
        a[i] = args[i];
    }
    if (kwnames == NULL) {
        return 1;
    }
    int found;
    size_t slot = cache_slot(kw_cache_keys, KW_CACHE_BITS, kwnames, &found);
    if (!found) {
        int index[N_KW];
        if (!ev_keyword_indexes(kwnames, ev_make_signal_parameters, N_KW, index)) {
            return 0;
        }
        Py_XSETREF(kw_cache_keys[slot], Py_NewRef(kwnames));
        memcpy(kw_cache_index[slot], index, sizeof(index));
    }
    const int *index = kw_cache_index[slot];
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(kwnames); i++) {
        if (a[index[i]] != NULL) {
            return 0;   /* given by position too */
        }
        a[index[i]] = args[nargs + i];
    }
    return 1;
}

PyObject *
evidence_make_signal(PyObject *module, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    PyObject *a[N_KW] = {NULL};
    if (!EV.bound || !bind_make_signal(args, nargs, kwnames, a) || a[KW_NAME] == NULL || a[KW_NTEXT] == NULL) {
        return ev_call_reference(REF_MAKE_SIGNAL, args, nargs, kwnames);
    }
    PyObject *result = make_signal_fast(
        a[KW_NAME], a[KW_NTEXT], a[KW_HITS] ? a[KW_HITS] : EV.empty_tuple, a[KW_VALUE] ? a[KW_VALUE] : Py_True,
        a[KW_CONFIDENCE] ? a[KW_CONFIDENCE] : EV.one, a[KW_NSPANS] ? a[KW_NSPANS] : EV.empty_tuple,
        a[KW_DETAIL] ? a[KW_DETAIL] : Py_None);
    return OR_REFERENCE(REF_MAKE_SIGNAL, result, args, nargs, kwnames);
}

PyObject *
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
    PyObject *objs[2];
    PyObject **items = PySequence_Fast_ITEMS(a[2]);
    if (!to_original_objects(&map, span, items[0], items[1], &span, objs)) {
        return ev_call_reference(REF_SPAN_SIGNAL, args, nargs, kwnames);
    }
    Py_XINCREF(objs[0]);
    Py_XINCREF(objs[1]);
    return new_signal(a[0], a[3], EV.one, &span, 1, objs, Py_NewRef(a[4]));
}

/* After bind_evidence: the caches emptied. */
void
ev_bind_signals(void)
{
    clear_plugin_cache();
    clear_kw_cache();
}
