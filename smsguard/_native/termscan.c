/* smsguard._ctermscan: the multi-pattern passes every message goes through, in C (this file), and the
 * term detectors' scan and per-message cache (termscan_lexicon.c, termscan_terms.c, termscan_read.c,
 * termscan_fuzzy.c).
 *
 * Automaton: an Aho-Corasick automaton over Unicode code points, reporting every occurrence of every pattern
 * (overlaps included) in the order ahocorasick_rs reports them with MatchKind.Standard: by end, and at one end
 * longest first. Its goto function is one open-addressing hash table keyed by (state, code point); bit sets of
 * the BMP code points that occur in some pattern, and of those that begin one, send the other characters straight
 * to the root. The search
 * reads the str's own storage (1, 2 or 4 bytes a character) and counts code points, as Python indexes; a lone
 * surrogate is read as U+FFFD, as smsguard.termscan searches a text with lone surrogates replaced.
 * LexiconScan (termscan_lexicon.c) turns the matches into the detectors' TermHit lists.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "termscan.h"

#define ROOT 0
#define EMPTY_KEY UINT64_MAX
#define MAX_STATES ((Py_ssize_t)INT32_MAX - 1)


static inline size_t
edge_slot(const Automaton *ac, uint64_t key)
{
    return (size_t)((key * 0x9E3779B97F4A7C15ULL) >> ac->shift);
}

static inline int32_t
ac_goto(const Automaton *ac, int32_t state, Py_UCS4 cp)
{
    uint64_t key = ((uint64_t)state << 21) | cp;
    for (size_t i = edge_slot(ac, key);; i = (i + 1) & ac->edge_mask) {
        const Edge *e = &ac->edges[i];
        if (e->key == key) {
            return e->next;
        }
        if (e->key == EMPTY_KEY) {
            return -1;
        }
    }
}

static inline int32_t
ac_step(const Automaton *ac, int32_t state, Py_UCS4 cp)
{
    int bmp = cp < 0x10000;
    if (bmp && !((ac->bmp[cp >> 5] >> (cp & 31)) & 1)) {
        return ROOT;
    }
    for (; state != ROOT; state = ac->fail[state]) {
        int32_t next = ac_goto(ac, state, cp);
        if (next >= 0) {
            return next;
        }
    }
    if (bmp && !((ac->first[cp >> 5] >> (cp & 31)) & 1)) {
        return ROOT;
    }
    int32_t next = ac_goto(ac, ROOT, cp);
    return next < 0 ? ROOT : next;
}

static int
buf_push(MatchBuf *buf, int32_t pattern, Py_ssize_t start, Py_ssize_t end)
{
    if (buf->len == buf->cap) {
        Py_ssize_t cap = buf->cap * 2;
        Match *items = buf->items == buf->local ? PyMem_Malloc(cap * sizeof(Match))
                                                : PyMem_Realloc(buf->items, cap * sizeof(Match));
        if (items == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        if (buf->items == buf->local) {
            memcpy(items, buf->local, sizeof(buf->local));
        }
        buf->items = items;
        buf->cap = cap;
    }
    buf->items[buf->len++] = (Match){start, end, pattern};
    return 0;
}

void
ts_buf_init(MatchBuf *buf)
{
    buf->items = buf->local;
    buf->len = 0;
    buf->cap = (Py_ssize_t)(sizeof(buf->local) / sizeof(buf->local[0]));
}

void
ts_buf_free(MatchBuf *buf)
{
    if (buf->items != buf->local) {
        PyMem_Free(buf->items);
    }
}

/* Every occurrence in ``text`` (a str), ordered by end, longest first at one end. */
int
ts_ac_search(const Automaton *ac, PyObject *text, MatchBuf *buf)
{
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    int32_t state = ROOT;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 cp = PyUnicode_READ(kind, data, i);
        if (cp >= 0xD800 && cp <= 0xDFFF) {
            cp = 0xFFFD;
        }
        state = ac_step(ac, state, cp);
        for (int32_t s = ac->out[state] >= 0 ? state : ac->out_next[state]; s >= 0; s = ac->out_next[s]) {
            int32_t p = ac->out[s];
            if (buf_push(buf, p, i + 1 - ac->plen[p], i + 1) < 0) {
                return -1;
            }
        }
    }
    return 0;
}

/* Adds one edge (the key is not in the table yet). */
static void
ac_add_edge(Automaton *ac, int32_t state, Py_UCS4 cp, int32_t next)
{
    uint64_t key = ((uint64_t)state << 21) | cp;
    size_t i = edge_slot(ac, key);
    while (ac->edges[i].key != EMPTY_KEY) {
        i = (i + 1) & ac->edge_mask;
    }
    ac->edges[i].key = key;
    ac->edges[i].next = next;
}

/* Builds the trie and its failure links from ``keys`` (a list of distinct, non-empty str without surrogates). */
static int
ac_build(Automaton *ac, PyObject *keys)
{
    Py_ssize_t npatterns = PyList_GET_SIZE(keys), total = 1;
    for (Py_ssize_t k = 0; k < npatterns; k++) {
        PyObject *key = PyList_GET_ITEM(keys, k);
        if (!PyUnicode_Check(key) || PyUnicode_READY(key) < 0) {
            if (!PyErr_Occurred()) {
                PyErr_SetString(PyExc_TypeError, "keys must be str");
            }
            return -1;
        }
        Py_ssize_t len = PyUnicode_GET_LENGTH(key);
        if (len == 0) {
            PyErr_SetString(PyExc_ValueError, "empty key");
            return -1;
        }
        if (len > MAX_STATES - total) {
            PyErr_SetString(PyExc_OverflowError, "too many key characters");
            return -1;
        }
        total += len;
    }
    size_t cap = 16;
    int bits = 4;
    while (cap < (size_t)total * 2) {
        cap *= 2;
        bits++;
    }
    ac->npatterns = npatterns;
    ac->shift = 64 - bits;
    ac->edge_mask = cap - 1;
    ac->plen = PyMem_Malloc(sizeof(int32_t) * (npatterns + 1));
    ac->fail = PyMem_Malloc(sizeof(int32_t) * total);
    ac->out = PyMem_Malloc(sizeof(int32_t) * total);
    ac->out_next = PyMem_Malloc(sizeof(int32_t) * total);
    ac->edges = PyMem_Malloc(sizeof(Edge) * cap);
    /* build only: each state's first child, next sibling and the code point leading to it; the BFS queue */
    int32_t *child = PyMem_Malloc(sizeof(int32_t) * total);
    int32_t *sibling = PyMem_Malloc(sizeof(int32_t) * total);
    Py_UCS4 *label = PyMem_Malloc(sizeof(Py_UCS4) * total);
    int32_t *queue = PyMem_Malloc(sizeof(int32_t) * total);
    int result = -1;
    if (!ac->plen || !ac->fail || !ac->out || !ac->out_next || !ac->edges || !child || !sibling || !label ||
        !queue) {
        PyErr_NoMemory();
        goto done;
    }
    memset(ac->edges, 0xFF, sizeof(Edge) * cap);
    child[ROOT] = -1;
    ac->out[ROOT] = -1;
    ac->fail[ROOT] = ROOT;
    ac->out_next[ROOT] = -1;
    int32_t nstates = 1;
    for (Py_ssize_t k = 0; k < npatterns; k++) {
        PyObject *key = PyList_GET_ITEM(keys, k);
        int kind = PyUnicode_KIND(key);
        const void *data = PyUnicode_DATA(key);
        Py_ssize_t len = PyUnicode_GET_LENGTH(key);
        int32_t state = ROOT;
        for (Py_ssize_t i = 0; i < len; i++) {
            Py_UCS4 cp = PyUnicode_READ(kind, data, i);
            if (cp >= 0xD800 && cp <= 0xDFFF) {
                PyErr_SetString(PyExc_ValueError, "a key holds a lone surrogate");
                goto done;
            }
            if (cp < 0x10000) {
                ac->bmp[cp >> 5] |= 1u << (cp & 31);
                ac->first[cp >> 5] |= (uint32_t)(i == 0) << (cp & 31);
            }
            int32_t next = ac_goto(ac, state, cp);
            if (next < 0) {
                next = nstates++;
                ac_add_edge(ac, state, cp, next);
                ac->out[next] = -1;
                child[next] = -1;
                sibling[next] = child[state];
                child[state] = next;
                label[next] = cp;
            }
            state = next;
        }
        if (ac->out[state] >= 0) {
            PyErr_SetString(PyExc_ValueError, "duplicate key");
            goto done;
        }
        ac->out[state] = (int32_t)k;
        ac->plen[k] = (int32_t)len;
    }
    /* Failure links, breadth first: a state's link is known before its children's. */
    Py_ssize_t head = 0, tail = 0;
    for (int32_t t = child[ROOT]; t >= 0; t = sibling[t]) {
        ac->fail[t] = ROOT;
        ac->out_next[t] = -1;
        queue[tail++] = t;
    }
    while (head < tail) {
        int32_t s = queue[head++];
        for (int32_t t = child[s]; t >= 0; t = sibling[t]) {
            int32_t f = ac->fail[s], g;
            while ((g = ac_goto(ac, f, label[t])) < 0 && f != ROOT) {
                f = ac->fail[f];
            }
            f = g < 0 ? ROOT : g;
            ac->fail[t] = f;
            ac->out_next[t] = ac->out[f] >= 0 ? f : ac->out_next[f];
            queue[tail++] = t;
        }
    }
    result = 0;
done:
    PyMem_Free(child);
    PyMem_Free(sibling);
    PyMem_Free(label);
    PyMem_Free(queue);
    return result;
}

static PyObject *
Automaton_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    PyObject *keys, *ids;
    if ((kwargs != NULL && PyDict_GET_SIZE(kwargs) != 0) ||
        !PyArg_ParseTuple(args, "O!O!:Automaton", &PyList_Type, &keys, &PyTuple_Type, &ids)) {
        if (!PyErr_Occurred()) {
            PyErr_SetString(PyExc_TypeError, "Automaton() takes no keyword arguments");
        }
        return NULL;
    }
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(ids); i++) {
        if (!PyTuple_Check(PyTuple_GET_ITEM(ids, i))) {
            PyErr_SetString(PyExc_TypeError, "ids must be tuples");
            return NULL;
        }
    }
    if (PyTuple_GET_SIZE(ids) != PyList_GET_SIZE(keys)) {
        PyErr_SetString(PyExc_ValueError, "one tuple of ids per key");
        return NULL;
    }
    Automaton *ac = (Automaton *)type->tp_alloc(type, 0);
    if (ac == NULL) {
        return NULL;
    }
    Py_INCREF(ids);
    ac->ids = ids;
    if (ac_build(ac, keys) < 0) {
        Py_DECREF(ac);
        return NULL;
    }
    return (PyObject *)ac;
}

static void
Automaton_dealloc(Automaton *ac)
{
    PyMem_Free(ac->plen);
    PyMem_Free(ac->fail);
    PyMem_Free(ac->out);
    PyMem_Free(ac->out_next);
    PyMem_Free(ac->edges);
    Py_XDECREF(ac->ids);
    Py_TYPE(ac)->tp_free((PyObject *)ac);
}

/* What TermMatcher.matches does before searching: 1 to search, 0 for nothing to find, -1 on error. */
int
ts_wants_search(const Automaton *ac, PyObject *text)
{
    if (ac->npatterns == 0) {
        return 0;
    }
    if (PyUnicode_Check(text)) {
        return PyUnicode_READY(text) < 0 ? -1 : PyUnicode_GET_LENGTH(text) > 0;
    }
    int truth = PyObject_IsTrue(text);
    if (truth > 0) {
        PyErr_Format(PyExc_TypeError, "argument 'haystack': '%.200s' object cannot be converted to 'PyString'",
                     Py_TYPE(text)->tp_name);
        return -1;
    }
    return truth;
}

static PyObject *
Automaton_matches(Automaton *ac, PyObject *text)
{
    int go = ts_wants_search(ac, text);
    if (go <= 0) {
        return go < 0 ? NULL : PyList_New(0);
    }
    MatchBuf buf;
    ts_buf_init(&buf);
    PyObject *result = NULL;
    if (ts_ac_search(ac, text, &buf) < 0 || (result = PyList_New(buf.len)) == NULL) {
        goto done;
    }
    for (Py_ssize_t i = 0; i < buf.len; i++) {
        Match *m = &buf.items[i];
        PyObject *item = PyTuple_New(3);
        if (item == NULL) {
            Py_CLEAR(result);
            goto done;
        }
        PyList_SET_ITEM(result, i, item);
        PyObject *values[3] = {PyLong_FromLong(m->pattern), PyLong_FromSsize_t(m->start), PyLong_FromSsize_t(m->end)};
        for (int k = 0; k < 3; k++) {
            PyTuple_SET_ITEM(item, k, values[k]);
        }
        if (values[0] == NULL || values[1] == NULL || values[2] == NULL) {
            Py_CLEAR(result); /* a tuple with a NULL item is freed like any other */
            goto done;
        }
    }
done:
    ts_buf_free(&buf);
    return result;
}

/* Appends ``item`` to found[key], a new list when missing. */
int
ts_append_to(PyObject *found, PyObject *key, PyObject *item)
{
    PyObject *list = PyDict_GetItemWithError(found, key);
    if (list != NULL) {
        return PyList_Append(list, item);
    }
    if (PyErr_Occurred() || (list = PyList_New(1)) == NULL) {
        return -1;
    }
    Py_INCREF(item);
    PyList_SET_ITEM(list, 0, item);
    int rc = PyDict_SetItem(found, key, list);
    Py_DECREF(list);
    return rc;
}

static PyObject *
Automaton_find_spans(Automaton *ac, PyObject *text)
{
    int go = ts_wants_search(ac, text);
    PyObject *found = go < 0 ? NULL : PyDict_New();
    if (go <= 0 || found == NULL) {
        return found;
    }
    MatchBuf buf;
    ts_buf_init(&buf);
    if (ts_ac_search(ac, text, &buf) < 0) {
        goto error;
    }
    for (Py_ssize_t i = 0; i < buf.len; i++) {
        Match *m = &buf.items[i];
        PyObject *ids = PyTuple_GET_ITEM(ac->ids, m->pattern);
        PyObject *span = sg_span(m->start, m->end);
        if (span == NULL) {
            goto error;
        }
        for (Py_ssize_t j = 0; j < PyTuple_GET_SIZE(ids); j++) {
            if (ts_append_to(found, PyTuple_GET_ITEM(ids, j), span) < 0) {
                Py_DECREF(span);
                goto error;
            }
        }
        Py_DECREF(span);
    }
    ts_buf_free(&buf);
    return found;
error:
    ts_buf_free(&buf);
    Py_DECREF(found);
    return NULL;
}

static PyMethodDef Automaton_methods[] = {
    {"matches", (PyCFunction)Automaton_matches, METH_O, "(pattern, start, end) of every occurrence, by end."},
    {"find_spans", (PyCFunction)Automaton_find_spans, METH_O, "{term id: [(start, end), ...]} in text order."},
    {NULL, NULL, 0, NULL},
};

PyTypeObject ts_Automaton_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "smsguard._ctermscan.Automaton",
    .tp_basicsize = sizeof(Automaton),
    .tp_dealloc = (destructor)Automaton_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Automaton(keys, ids): Aho-Corasick over code points; ids[i] are the term ids of keys[i].",
    .tp_methods = Automaton_methods,
    .tp_new = Automaton_new,
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "smsguard._ctermscan",
    .m_doc = "The multi-pattern passes of smsguard in C (see termscan.c).",
    .m_size = -1,
};

PyMODINIT_FUNC
PyInit__ctermscan(void)
{
    PyObject *module = PyModule_Create(&module_def);
    if (module == NULL) {
        return NULL;
    }
    if (PyModule_AddType(module, &ts_Automaton_Type) < 0 || PyModule_AddType(module, &ts_LexiconScan_Type) < 0 ||
        ts_add_terms_types(module) < 0 || ts_add_read_types(module) < 0 || ts_add_fuzzy_types(module) < 0) {
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
