/* The steps of plugins/_termhits.py and plugins/_terms.py that work on a term set's hits once they are found, in C:
 * apply_masks (the hits inside no mask, kind ``ignore``), the sort by hit_order, and Wedges, the test of
 * _Fuzzy.wedge (does the text hold a wedge at all) that comes before the fuzzy read.
 *
 * The C reads the hits' fields from the tuples themselves; it does so only for hits of the very TermHit class
 * whose entry is of the very Entry class, with int positions well inside a Py_ssize_t and a str kind. Any other
 * list goes to the Python steps, decided before anything is done, so the results are the same for any input.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdlib.h>

#include "termscan.h"

static PyObject *s_sort, *s_key, *s_key_reverse;

/* Positions beyond this go to Python: start - longest cannot overflow. */
#define SPAN_LIMIT ((long long)1 << 60)

typedef struct {
    Py_ssize_t start, end;
    PyObject *hit; /* borrowed from the list */
    Py_ssize_t at; /* its index in the list */
} Span;

int
ts_hits_init(ts_Terms *terms, PyObject *hit_type, PyObject *entry_type, PyObject *ignore)
{
    if (!PyType_IsSubtype((PyTypeObject *)hit_type, &PyTuple_Type) ||
        !PyType_IsSubtype((PyTypeObject *)entry_type, &PyTuple_Type) || !PyUnicode_CheckExact(ignore)) {
        PyErr_SetString(PyExc_TypeError, "TermHit and Entry must be NamedTuples, IGNORE a str");
        return -1;
    }
    terms->hit_type = (PyTypeObject *)Py_NewRef(hit_type);
    terms->entry_type = (PyTypeObject *)Py_NewRef(entry_type);
    terms->ignore = Py_NewRef(ignore);
    if ((terms->entry_at = ts_field_index(hit_type, "entry")) < 0 ||
        (terms->start_at = ts_field_index(hit_type, "start")) < 0 ||
        (terms->end_at = ts_field_index(hit_type, "end")) < 0 ||
        (terms->kind_at = ts_field_index(entry_type, "kind")) < 0) {
        return -1;
    }
    return 0;
}

static int
small_int(PyObject *value, Py_ssize_t *out)
{
    int overflow;
    long long v = PyLong_CheckExact(value) ? PyLong_AsLongLongAndOverflow(value, &overflow) : 0;
    if (!PyLong_CheckExact(value) || overflow || v > SPAN_LIMIT || v < -SPAN_LIMIT) {
        return 0;
    }
    *out = (Py_ssize_t)v;
    return 1;
}

static inline PyObject *
field(PyObject *tuple, Py_ssize_t at)
{
    return at < PyTuple_GET_SIZE(tuple) ? PyTuple_GET_ITEM(tuple, at) : NULL;
}

/* The span of a hit, and with ``mask`` not NULL whether it is a mask: 1, or 0 when the hit is not one the C reads
 * (see above). */
static int
read_hit(ts_Terms *terms, PyObject *hit, Span *span, int *mask)
{
    PyObject *start, *end, *entry, *kind;
    if (!Py_IS_TYPE(hit, terms->hit_type) || (start = field(hit, terms->start_at)) == NULL ||
        (end = field(hit, terms->end_at)) == NULL || !small_int(start, &span->start) ||
        !small_int(end, &span->end)) {
        return 0;
    }
    span->hit = hit;
    if (mask == NULL) {
        return 1;
    }
    if ((entry = field(hit, terms->entry_at)) == NULL || !Py_IS_TYPE(entry, terms->entry_type) ||
        (kind = field(entry, terms->kind_at)) == NULL || !PyUnicode_CheckExact(kind)) {
        return 0;
    }
    *mask = kind == terms->ignore || PyUnicode_Compare(kind, terms->ignore) == 0;
    return 1;
}

/* The spans of a list's hits, in a new array (``local`` when it has room for them), or NULL: with an exception
 * set on error, without when the list is not one the C reads. ``masks`` (may be NULL) counts the masks, which
 * get ``at`` -1. */
static Span *
read_hits(ts_Terms *terms, PyObject *hits, Span *local, Py_ssize_t room, Py_ssize_t *masks)
{
    Py_ssize_t n = PyList_GET_SIZE(hits);
    Span *spans = n <= room ? local : PyMem_New(Span, n);
    if (spans == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        int mask = 0;
        if (!read_hit(terms, PyList_GET_ITEM(hits, i), &spans[i], masks == NULL ? NULL : &mask)) {
            if (spans != local) {
                PyMem_Free(spans);
            }
            return NULL;
        }
        spans[i].at = mask ? -1 : i;
        if (masks != NULL) {
            *masks += mask;
        }
    }
    return spans;
}

static int
by_start_end(const void *a, const void *b)
{
    const Span *x = a, *y = b;
    return x->start != y->start ? (x->start < y->start ? -1 : 1) : x->end != y->end ? (x->end < y->end ? -1 : 1) : 0;
}

/* hit_order (start, then longest first), with the index in the list last: the stable sort's order. */
static int
by_hit_order(const void *a, const void *b)
{
    const Span *x = a, *y = b;
    if (x->start != y->start) {
        return x->start < y->start ? -1 : 1;
    }
    if (x->end != y->end) {
        return x->end > y->end ? -1 : 1;
    }
    return x->at < y->at ? -1 : x->at > y->at;
}

/* Whether a mask covers the span, as apply_masks tells it: a mask among those whose start lies in
 * [start - longest, start] (masks sorted by start) that ends at or after the span's end. */
static int
masked(const Span *masks, Py_ssize_t n, Py_ssize_t longest, const Span *span)
{
    Py_ssize_t lo = 0, hi = n, from = span->start - longest;
    while (lo < hi) { /* bisect_left(starts, start - longest) */
        Py_ssize_t mid = lo + (hi - lo) / 2;
        if (masks[mid].start < from) {
            lo = mid + 1;
        }
        else {
            hi = mid;
        }
    }
    for (Py_ssize_t i = lo; i < n && masks[i].start <= span->start; i++) {
        if (masks[i].end >= span->end) {
            return 1;
        }
    }
    return 0;
}

PyObject *
ts_apply_masks(ts_Terms *terms, PyObject *hits)
{
    Span local[64], *spans = NULL;
    Py_ssize_t nmasks = 0;
    if (!PyList_CheckExact(hits) || (spans = read_hits(terms, hits, local, 32, &nmasks)) == NULL) {
        return PyErr_Occurred() ? NULL : PyObject_CallOneArg(terms->apply_masks, hits);
    }
    Py_ssize_t n = PyList_GET_SIZE(hits);
    Span *masks = spans == local ? local + 32 : nmasks == 0 ? NULL : PyMem_New(Span, nmasks);
    PyObject *kept = NULL;
    if (nmasks == 0) {
        kept = Py_NewRef(hits);
        goto done;
    }
    if (masks == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    Py_ssize_t longest = 0;
    for (Py_ssize_t i = 0, m = 0; i < n; i++) {
        if (spans[i].at < 0) {
            masks[m] = spans[i];
            longest = m == 0 || spans[i].end - spans[i].start > longest ? spans[i].end - spans[i].start : longest;
            m++;
        }
    }
    qsort(masks, (size_t)nmasks, sizeof(Span), by_start_end);
    if ((kept = PyList_New(0)) == NULL) {
        goto done;
    }
    /* No Python code runs in this loop, so the list stays as read. */
    for (Py_ssize_t i = 0; i < n; i++) {
        if (spans[i].at >= 0 && !masked(masks, nmasks, longest, &spans[i]) && PyList_Append(kept, spans[i].hit) < 0) {
            Py_CLEAR(kept);
            break;
        }
    }
done:
    if (masks != NULL && masks != local + 32) {
        PyMem_Free(masks);
    }
    if (spans != local) {
        PyMem_Free(spans);
    }
    return kept;
}

/* hits.sort(key=hit_order) in Python: two stable sorts, by end, longest first, then by start. */
static int
sort_in_python(ts_Terms *terms, PyObject *hits)
{
    PyObject *by_end[3] = {hits, terms->by_end, Py_True}, *by_start[2] = {hits, terms->by_start};
    PyObject *done = PyObject_VectorcallMethod(s_sort, by_end, 1, s_key_reverse);
    Py_XSETREF(done, done == NULL ? NULL : PyObject_VectorcallMethod(s_sort, by_start, 1, s_key));
    Py_XDECREF(done);
    return done == NULL ? -1 : 0;
}

int
ts_sort_hits(ts_Terms *terms, PyObject *hits)
{
    Span local[32], *spans = NULL;
    if (!PyList_CheckExact(hits) || (spans = read_hits(terms, hits, local, 32, NULL)) == NULL) {
        return PyErr_Occurred() ? -1 : sort_in_python(terms, hits);
    }
    Py_ssize_t n = PyList_GET_SIZE(hits);
    qsort(spans, (size_t)n, sizeof(Span), by_hit_order);
    /* The same references in a new order: no count changes. */
    for (Py_ssize_t i = 0; i < n; i++) {
        PyList_SET_ITEM(hits, i, spans[i].hit);
    }
    if (spans != local) {
        PyMem_Free(spans);
    }
    return 0;
}

PyObject *
ts_Terms_sort_hits(ts_Terms *terms, PyObject *hits)
{
    return ts_sort_hits(terms, hits) < 0 ? NULL : Py_NewRef(Py_None);
}

/* ---- Wedges: whether _Fuzzy.wedge finds anything in a text ---- */

#define HAN_FIRST 0x4E00
#define HAN_LAST 0x9FFF
#define HAN_WORDS ((HAN_LAST - HAN_FIRST) / 32 + 1)

typedef struct {
    PyObject_HEAD
    uint32_t firsts[HAN_WORDS];  /* the Han characters a wedge may follow */
    uint32_t seconds[HAN_WORDS]; /* and precede */
} Wedges;

static inline int
is_han(Py_UCS4 c)
{
    return c >= HAN_FIRST && c <= HAN_LAST;
}

static inline int
han_in(const uint32_t *set, Py_UCS4 c)
{
    return is_han(c) && (set[(c - HAN_FIRST) >> 5] >> ((c - HAN_FIRST) & 31) & 1);
}

/* A character of a wedge: _WEDGE_CHAR, [^\u4e00-\u9fff,;:!?。、，\n]. */
static inline int
wedge_char(Py_UCS4 c)
{
    return !is_han(c) && c != ',' && c != ';' && c != ':' && c != '!' && c != '?' &&
           c != 0x3002 && c != 0x3001 && c != 0xFF0C && c != '\n';
}

static void
han_set(uint32_t *set, PyObject *chars)
{
    for (Py_ssize_t i = 0; i < PyUnicode_GET_LENGTH(chars); i++) {
        Py_UCS4 c = PyUnicode_READ_CHAR(chars, i);
        if (c >= HAN_FIRST && c <= HAN_LAST) {
            set[(c - HAN_FIRST) >> 5] |= 1u << ((c - HAN_FIRST) & 31);
        }
    }
}

static PyObject *
Wedges_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    PyObject *firsts, *seconds;
    if ((kwargs != NULL && PyDict_GET_SIZE(kwargs) != 0) || !PyArg_ParseTuple(args, "UU:Wedges", &firsts, &seconds)) {
        if (!PyErr_Occurred()) {
            PyErr_SetString(PyExc_TypeError, "Wedges() takes no keyword arguments");
        }
        return NULL;
    }
    Wedges *self = PyUnicode_READY(firsts) < 0 || PyUnicode_READY(seconds) < 0 ? NULL
                                                                                : (Wedges *)type->tp_alloc(type, 0);
    if (self != NULL) { /* zeroed */
        han_set(self->firsts, firsts);
        han_set(self->seconds, seconds);
    }
    return (PyObject *)self;
}

/* _wedge_pattern's search: a wedge character after a Han first, then a Han second, or one more wedge character
 * and a Han second (the pattern never matches when either set is empty), over a text of one storage width. */
#define FIND_WEDGE(TYPE)                                                                                             \
    do {                                                                                                             \
        const TYPE *s = (const TYPE *)PyUnicode_DATA(text);                                                          \
        for (Py_ssize_t i = 1; i + 1 < n; i++) {                                                                     \
            /* the cheap tests first: most characters are Han, most others follow no Han first */               \
            if (!is_han(s[i]) && han_in(self->firsts, s[i - 1]) && wedge_char(s[i]) &&                               \
                (han_in(self->seconds, s[i + 1]) ||                                                                  \
                 (i + 2 < n && wedge_char(s[i + 1]) && han_in(self->seconds, s[i + 2])))) {                          \
                return 1;                                                                                            \
            }                                                                                                        \
        }                                                                                                            \
    } while (0)

/* Whether a ready str holds a wedge; a text of one byte a character holds no Han character. */
static int
find_wedge(const Wedges *self, PyObject *text)
{
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    if (PyUnicode_KIND(text) == PyUnicode_2BYTE_KIND) {
        FIND_WEDGE(Py_UCS2);
    }
    else if (PyUnicode_KIND(text) == PyUnicode_4BYTE_KIND) {
        FIND_WEDGE(Py_UCS4);
    }
    return 0;
}

static PyObject *
Wedges_search(Wedges *self, PyObject *text)
{
    if (!PyUnicode_Check(text) || PyUnicode_READY(text) < 0) {
        if (!PyErr_Occurred()) {
            PyErr_Format(PyExc_TypeError, "expected string, got '%.200s'", Py_TYPE(text)->tp_name);
        }
        return NULL;
    }
    return PyBool_FromLong(find_wedge(self, text));
}

static PyMethodDef Wedges_methods[] = {
    {"search", (PyCFunction)Wedges_search, METH_O, "Whether the text holds a wedge (see _wedge_pattern)."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject Wedges_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "smsguard._ctermscan.Wedges",
    .tp_basicsize = sizeof(Wedges),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Wedges(firsts, seconds): the wedge test of the fuzzy term sets (plugins/_terms.py).",
    .tp_methods = Wedges_methods,
    .tp_new = Wedges_new,
};

int
ts_wedged(PyObject *wedged, PyObject *text)
{
    if (PyCFunction_Check(wedged) && PyCFunction_GET_SELF(wedged) != NULL &&
        Py_IS_TYPE(PyCFunction_GET_SELF(wedged), &Wedges_Type) &&
        PyCFunction_GET_FUNCTION(wedged) == (PyCFunction)Wedges_search && PyUnicode_Check(text) &&
        PyUnicode_READY(text) == 0) {
        return find_wedge((Wedges *)PyCFunction_GET_SELF(wedged), text);
    }
    PyObject *any = PyObject_CallOneArg(wedged, text);
    int truth = any == NULL ? -1 : PyObject_IsTrue(any);
    Py_XDECREF(any);
    return truth;
}

int
ts_add_fuzzy_types(PyObject *module)
{
    if ((s_sort = PyUnicode_InternFromString("sort")) == NULL || (s_key = Py_BuildValue("(s)", "key")) == NULL ||
        (s_key_reverse = Py_BuildValue("(ss)", "key", "reverse")) == NULL) {
        return -1;
    }
    return PyModule_AddType(module, &Wedges_Type);
}
