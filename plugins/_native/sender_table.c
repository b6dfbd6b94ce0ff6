/* The port table of plugins/sender.py (_PortTable) decoded into C, for _by_prefix on an ASCII-digit sender: the
 * same answers as `number[:shortest] in heads` and `rows.get(number[:length])` for each length, longest first,
 * without a str made or a dict looked up per message. Part of smsguard_plugins._csender; see sender.c.
 *
 * The number is ASCII, so a head or a row key equals one of its prefixes exactly when it is an ASCII str of the
 * same bytes: non-ASCII heads and keys are left out, and a table with a head or key that is not an exact str, or
 * a row that is not a pair of exact strs, is not decoded (the reference answers). The table is decoded once, when
 * it is first seen: a _PortTable is frozen and built once for each lexicon path (from_lexicons), its rows are
 * not changed after; its strs are held here.
 */
#include "sender.h"

typedef struct {
    const Py_UCS1 *key;
    Py_ssize_t len;
} sp_head;

static struct {
    PyObject *table;    /* the table decoded: compared by identity, held so that its address is not reused */
    PyObject *held;     /* a list of the strs the rows and heads point into */
    Py_ssize_t shortest, n_lengths, n_rows, n_heads;
    Py_ssize_t *lengths;
    Py_ssize_t *ends;   /* rows[ends[l - 1]:ends[l]] are the rows of length lengths[l] (ends[-1] being 0) */
    sp_row *rows;
    sp_head *heads;
} T;

void
sp_clear(void)
{
    Py_CLEAR(T.table);
    Py_CLEAR(T.held);
    PyMem_Free(T.lengths);
    PyMem_Free(T.ends);
    PyMem_Free(T.rows);
    PyMem_Free(T.heads);
    memset(&T, 0, sizeof(T));
}

static int
is_ascii_str(PyObject *o)
{
    return PyUnicode_CheckExact(o) && PyUnicode_IS_ASCII(o);
}

/* the rows dict into fresh->rows: 0, FALLBACK, or -1 with an exception set */
static int
decode_rows(PyObject *rows, PyObject *const *kinds, PyObject *strong, PyObject *held, sp_row *out, Py_ssize_t *n)
{
    PyObject *key, *row;
    Py_ssize_t pos = 0;
    *n = 0;
    while (PyDict_Next(rows, &pos, &key, &row)) {
        if (!PyUnicode_CheckExact(key) || !PyTuple_CheckExact(row) || PyTuple_GET_SIZE(row) != 2
            || !PyUnicode_CheckExact(PyTuple_GET_ITEM(row, 0)) || !PyUnicode_CheckExact(PyTuple_GET_ITEM(row, 1))) {
            return FALLBACK;
        }
        if (!PyUnicode_IS_ASCII(key)) {
            continue;  /* equals no prefix of an ASCII number */
        }
        PyObject *kind = PyTuple_GET_ITEM(row, 0), *value = PyTuple_GET_ITEM(row, 1);
        sp_row *r = &out[(*n)++];
        r->key = PyUnicode_1BYTE_DATA(key);
        r->len = PyUnicode_GET_LENGTH(key);
        r->prefix = key;
        r->value = value;
        r->kind = SP_OTHER;
        for (int k = 0; k < SP_N_KINDS && r->kind == SP_OTHER; k++) {
            if (sg_same_str(kind, kinds[k])) {
                r->kind = k;
            }
        }
        r->strong = sg_same_str(value, strong);
        if (PyList_Append(held, key) < 0 || PyList_Append(held, value) < 0) {
            return -1;
        }
    }
    return 0;
}

/* the heads frozenset into out: 0, FALLBACK, or -1 with an exception set */
static int
decode_heads(PyObject *heads, PyObject *held, sp_head *out, Py_ssize_t *n)
{
    PyObject *it = PyObject_GetIter(heads), *head;
    int rc = it == NULL ? -1 : 0;
    *n = 0;
    while (rc == 0 && (head = PyIter_Next(it)) != NULL) {
        if (!PyUnicode_CheckExact(head)) {
            rc = FALLBACK;
        }
        else if (is_ascii_str(head)) {
            out[*n].key = PyUnicode_1BYTE_DATA(head);
            out[(*n)++].len = PyUnicode_GET_LENGTH(head);
            rc = PyList_Append(held, head);
        }
        Py_DECREF(head);
    }
    Py_XDECREF(it);
    return rc == 0 && PyErr_Occurred() ? -1 : rc;
}

/* Decode ``table`` (kinds: the strs of SP_COURT .. SP_VIRTUAL; strong: "strong"), unless it is the one decoded
 * last: 0, FALLBACK when it is not a _PortTable of plain dicts, ints, sets and strs, or -1 with an exception set. */
int
sp_decode(PyObject *table, PyTypeObject *table_type, PyObject *const *kinds, PyObject *strong)
{
    if (table == T.table) {
        return 0;
    }
    if (Py_TYPE(table) != table_type) {
        return FALLBACK;
    }
    PyObject *rows = PyObject_GetAttrString(table, "rows"), *lengths = PyObject_GetAttrString(table, "lengths");
    PyObject *shortest = PyObject_GetAttrString(table, "shortest"), *heads = PyObject_GetAttrString(table, "heads");
    PyObject *held = NULL;
    Py_ssize_t least = -1, n_lengths = 0, n_rows = 0, n_heads = 0, *values = NULL, *ends = NULL, total = 0;
    sp_row *out_rows = NULL, *grouped = NULL;
    sp_head *out_heads = NULL;
    int rc = FALLBACK;
    PyErr_Clear();
    if (rows == NULL || lengths == NULL || shortest == NULL || heads == NULL || !PyDict_CheckExact(rows)
        || !PyTuple_CheckExact(lengths) || !dt_as_ssize_in(shortest, 0, PY_SSIZE_T_MAX, &least)
        || !PyFrozenSet_CheckExact(heads)) {
        goto done;
    }
    n_lengths = PyTuple_GET_SIZE(lengths);
    values = PyMem_New(Py_ssize_t, n_lengths + 1);
    out_rows = PyMem_New(sp_row, PyDict_GET_SIZE(rows) + 1);
    out_heads = PyMem_New(sp_head, PySet_GET_SIZE(heads) + 1);
    if (values == NULL || out_rows == NULL || out_heads == NULL || (held = PyList_New(0)) == NULL) {
        rc = -1;
        if (!PyErr_Occurred()) {
            PyErr_NoMemory();
        }
        goto done;
    }
    for (Py_ssize_t i = 0; i < n_lengths; i++) {
        if (!dt_as_ssize_in(PyTuple_GET_ITEM(lengths, i), 0, PY_SSIZE_T_MAX, &values[i])) {
            goto done;
        }
    }
    if ((rc = decode_rows(rows, kinds, strong, held, out_rows, &n_rows)) != 0
        || (rc = decode_heads(heads, held, out_heads, &n_heads)) != 0) {
        goto done;
    }
    /* the rows grouped by the lengths looked up, in their order (a row of another length is never looked up) */
    for (Py_ssize_t l = 0; l < n_lengths; l++) {
        for (Py_ssize_t r = 0; r < n_rows; r++) {
            total += out_rows[r].len == values[l];
        }
    }
    grouped = PyMem_New(sp_row, total + 1);
    ends = PyMem_New(Py_ssize_t, n_lengths + 1);
    if (grouped == NULL || ends == NULL) {
        rc = -1;
        PyErr_NoMemory();
        goto done;
    }
    total = 0;
    for (Py_ssize_t l = 0; l < n_lengths; l++) {
        for (Py_ssize_t r = 0; r < n_rows; r++) {
            if (out_rows[r].len == values[l]) {
                grouped[total++] = out_rows[r];
            }
        }
        ends[l] = total;
    }
    sp_clear();
    T.table = Py_NewRef(table);
    T.held = held;
    T.shortest = least;
    T.n_lengths = n_lengths;
    T.lengths = values;
    T.n_rows = total;
    T.rows = grouped;
    T.ends = ends;
    T.n_heads = n_heads;
    T.heads = out_heads;
    held = NULL;
    values = NULL;
    grouped = NULL;
    ends = NULL;
    out_heads = NULL;
done:
    PyMem_Free(grouped);
    PyMem_Free(ends);
    Py_XDECREF(held);
    PyMem_Free(values);
    PyMem_Free(out_rows);
    PyMem_Free(out_heads);
    Py_XDECREF(rows);
    Py_XDECREF(lengths);
    Py_XDECREF(shortest);
    Py_XDECREF(heads);
    return rc;
}

/* a[:n] == b[:n]: the keys are short, a loop beats a call to memcmp */
static inline int
same_bytes(const Py_UCS1 *a, const Py_UCS1 *b, Py_ssize_t n)
{
    Py_ssize_t i = 0;
    while (i < n && a[i] == b[i]) {
        i++;
    }
    return i == n;
}

/* The row of the longest table prefix of the ASCII ``number`` (borrowed from the decoded table), or NULL when
 * number[:shortest] is no head or no row matches: _by_prefix's `heads` test and _longest_prefix. */
const sp_row *
sp_longest(const Py_UCS1 *number, Py_ssize_t len)
{
    Py_ssize_t cut = T.shortest < len ? T.shortest : len, i = 0;
    while (i < T.n_heads && !(T.heads[i].len == cut && same_bytes(T.heads[i].key, number, cut))) {
        i++;
    }
    if (i == T.n_heads) {
        return NULL;
    }
    for (Py_ssize_t l = 0; l < T.n_lengths; l++) {
        Py_ssize_t length = T.lengths[l];
        for (Py_ssize_t r = l == 0 ? 0 : T.ends[l - 1]; length <= len && r < T.ends[l]; r++) {
            if (T.rows[r].len == length && same_bytes(T.rows[r].key, number, length)) {
                return &T.rows[r];
            }
        }
    }
    return NULL;
}
