/* The lookalike test of the link checker (plugins/link.py _lookalike, _keyword_stands_out, _edit_distance) in C,
 * over the keyword and spelling rows of _Lists decoded once into arrays of code points.
 *
 * The reference keeps the greatest candidate tuple (characters matched, confidence, brand, why). The C compares
 * the same tuples without building them: "why" is one of "contains K", "spelled like K" and "starts with K",
 * which order first by those prefixes (c < sp < st) and then by K, as the strings themselves do.
 */
#include "link.h"

enum { WHY_CONTAINS, WHY_SPELLED, WHY_STARTS };  /* in the order of the strings */
static const char *const WHY_TEXT[] = {"contains ", "spelled like ", "starts with "};

void
link_names_clear(name_table *table)
{
    Py_CLEAR(table->keywords);
    Py_CLEAR(table->spellings);
    PyMem_Free(table->rows);
    PyMem_Free(table->pool);
    table->rows = NULL;
    table->pool = NULL;
    table->n_keywords = table->n_spellings = 0;
}

/* The characters of rows tuple ``rows``: their number, or -1 when a row is not (str, str, bool). */
static Py_ssize_t
count_chars(PyObject *rows)
{
    if (!PyTuple_CheckExact(rows)) {
        return -1;
    }
    Py_ssize_t total = 0;
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(rows); i++) {
        PyObject *row = PyTuple_GET_ITEM(rows, i);
        if (!PyTuple_CheckExact(row) || PyTuple_GET_SIZE(row) != 3 || !PyUnicode_CheckExact(PyTuple_GET_ITEM(row, 0))
            || !PyUnicode_CheckExact(PyTuple_GET_ITEM(row, 1)) || !PyBool_Check(PyTuple_GET_ITEM(row, 2))) {
            return -1;
        }
        total += PyUnicode_GET_LENGTH(PyTuple_GET_ITEM(row, 0));
    }
    return total;
}

static void
decode_rows(PyObject *rows, name_row *out, Py_UCS4 **pool)
{
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(rows); i++) {
        PyObject *row = PyTuple_GET_ITEM(rows, i), *word = PyTuple_GET_ITEM(row, 0);
        name_row *r = &out[i];
        r->word = word;
        r->brand = PyTuple_GET_ITEM(row, 1);
        r->needs_name = PyTuple_GET_ITEM(row, 2) == Py_True;
        r->len = PyUnicode_GET_LENGTH(word);
        r->chars = *pool;
        r->digits = r->letters = r->len > 0;
        for (Py_ssize_t j = 0; j < r->len; j++) {
            Py_UCS4 c = PyUnicode_READ_CHAR(word, j);
            (*pool)[j] = c;
            r->digits = r->digits && Py_UNICODE_ISDIGIT(c);
            r->letters = r->letters && Py_UNICODE_ISALPHA(c);
        }
        *pool += r->len;
    }
}

int
link_names_load(name_table *table, PyObject *keywords, PyObject *spellings)
{
    if (table->keywords == keywords && table->spellings == spellings) {
        return 1;
    }
    Py_ssize_t a = count_chars(keywords), b = count_chars(spellings);
    if (a < 0 || b < 0) {
        return 0;
    }
    Py_ssize_t n_keywords = PyTuple_GET_SIZE(keywords), n_spellings = PyTuple_GET_SIZE(spellings);
    name_row *rows = PyMem_New(name_row, n_keywords + n_spellings + 1);
    Py_UCS4 *pool = PyMem_New(Py_UCS4, a + b + 1), *at = pool;
    if (rows == NULL || pool == NULL) {
        PyMem_Free(rows);
        PyMem_Free(pool);
        PyErr_NoMemory();
        return -1;
    }
    decode_rows(keywords, rows, &at);
    decode_rows(spellings, rows + n_keywords, &at);
    link_names_clear(table);
    table->keywords = Py_NewRef(keywords);
    table->spellings = Py_NewRef(spellings);
    table->rows = rows;
    table->pool = pool;
    table->n_keywords = n_keywords;
    table->n_spellings = n_spellings;
    return 1;
}

/* ---- strings as arrays of code points ---- */

static int
starts_with(const Py_UCS4 *s, Py_ssize_t n, const Py_UCS4 *w, Py_ssize_t m)
{
    return m <= n && memcmp(s, w, (size_t)m * sizeof(Py_UCS4)) == 0;
}

static int
ends_with(const Py_UCS4 *s, Py_ssize_t n, const Py_UCS4 *w, Py_ssize_t m)
{
    return m <= n && memcmp(s + n - m, w, (size_t)m * sizeof(Py_UCS4)) == 0;
}

static int
contains(const Py_UCS4 *s, Py_ssize_t n, const Py_UCS4 *w, Py_ssize_t m)
{
    for (Py_ssize_t i = 0; i + m <= n; i++) {
        if ((m == 0 || s[i] == w[0]) && memcmp(s + i, w, (size_t)m * sizeof(Py_UCS4)) == 0) {
            return 1;
        }
    }
    return 0;
}

/* _edit_distance(a, b, limit): ``rows`` has room for 2 * (m + 1) numbers */
static Py_ssize_t
edit_distance(const Py_UCS4 *a, Py_ssize_t n, const Py_UCS4 *b, Py_ssize_t m, Py_ssize_t limit, Py_ssize_t *rows)
{
    Py_ssize_t *previous = rows, *current = rows + m + 1;
    for (Py_ssize_t j = 0; j <= m; j++) {
        previous[j] = j;
    }
    for (Py_ssize_t i = 1; i <= n; i++) {
        current[0] = i;
        Py_ssize_t smallest = i;
        for (Py_ssize_t j = 1; j <= m; j++) {
            Py_ssize_t d = previous[j] + 1, e = current[j - 1] + 1, f = previous[j - 1] + (a[i - 1] != b[j - 1]);
            d = e < d ? e : d;
            current[j] = f < d ? f : d;
            smallest = current[j] < smallest ? current[j] : smallest;
        }
        if (smallest > limit) {
            return limit + 1;
        }
        Py_ssize_t *swap = previous;
        previous = current;
        current = swap;
    }
    return previous[m];
}

/* ---- the best candidate ---- */

typedef struct {
    int set;
    Py_ssize_t matched;
    double confidence;
    PyObject *brand, *word;  /* borrowed from the rows */
    int why;
} candidate;

/* Keep (matched, confidence, brand, why) when it is greater than the best so far, as max() does. */
static void
offer(candidate *best, Py_ssize_t matched, double confidence, const name_row *row, int why)
{
    if (best->set) {
        int order = matched != best->matched ? (matched > best->matched ? 1 : -1)
                    : confidence != best->confidence ? (confidence > best->confidence ? 1 : -1)
                    : row->brand == best->brand ? 0
                                                : PyUnicode_Compare(row->brand, best->brand);
        if (order == 0) {
            order = why != best->why ? (why > best->why ? 1 : -1)
                    : row->word == best->word ? 0
                                              : PyUnicode_Compare(row->word, best->word);
        }
        if (order <= 0) {
            return;
        }
    }
    *best = (candidate){1, matched, confidence, row->brand, row->word, why};
}

/* _keyword_stands_out(label, compact, keyword); ``tokens`` are the (start, end) of the label's [a-z]+ runs */
static int
stands_out(const Py_UCS4 *label, const Py_ssize_t *tokens, Py_ssize_t n_tokens, const Py_UCS4 *compact,
           Py_ssize_t n_compact, const name_row *k)
{
    if (k->digits) {
        return starts_with(compact, n_compact, k->chars, k->len);
    }
    if (!k->letters || starts_with(compact, n_compact, k->chars, k->len)) {
        return 1;
    }
    for (Py_ssize_t t = 0; t < n_tokens; t++) {
        const Py_UCS4 *token = label + tokens[2 * t];
        Py_ssize_t n = tokens[2 * t + 1] - tokens[2 * t];
        if (starts_with(token, n, k->chars, k->len) || ends_with(token, n, k->chars, k->len)) {
            return 1;
        }
    }
    return 0;
}

/* One label's candidates; ``buffer`` has room for 4 * (n + 1) numbers and ``label`` for n characters. 0, or -1
 * with an exception set. */
static int
judge_label(const name_table *table, const Py_UCS4 *label, Py_ssize_t n, PyObject *named, Py_ssize_t prefix,
            Py_ssize_t *buffer, candidate *best)
{
    Py_UCS4 *compact = (Py_UCS4 *)(buffer + 2 * (n + 1));
    Py_ssize_t *tokens = buffer, n_tokens = 0, n_compact = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (label[i] != '-') {
            compact[n_compact++] = label[i];
        }
        if (label[i] >= 'a' && label[i] <= 'z' && (i == 0 || !(label[i - 1] >= 'a' && label[i - 1] <= 'z'))) {
            Py_ssize_t end = i + 1;
            while (end < n && label[end] >= 'a' && label[end] <= 'z') {
                end++;
            }
            tokens[2 * n_tokens] = i;
            tokens[2 * n_tokens + 1] = end;
            n_tokens++;
        }
    }
    for (Py_ssize_t r = 0; r < table->n_keywords; r++) {
        const name_row *k = &table->rows[r];
        if (k->needs_name) {
            if (starts_with(compact, n_compact, k->chars, k->len)) {
                int is_named = PySet_Contains(named, k->brand);
                if (is_named < 0) {
                    return -1;
                }
                if (is_named) {
                    offer(best, k->len, 0.7, k, WHY_STARTS);
                }
            }
        }
        else if (contains(compact, n_compact, k->chars, k->len)
                 && stands_out(label, tokens, n_tokens, compact, n_compact, k)) {
            double confidence = n_compact == k->len ? 0.9 : 0.8;  /* contained and as long: the same */
            offer(best, k->len, confidence, k, WHY_CONTAINS);
        }
    }
    /* the pieces: the compact label, then each piece between hyphens (the reference's set; repeats change
     * nothing) */
    Py_ssize_t rows[2 * 64];
    for (Py_ssize_t r = table->n_keywords; r < table->n_keywords + table->n_spellings; r++) {
        const name_row *s = &table->rows[r];
        if (s->needs_name) {
            int is_named = PySet_Contains(named, s->brand);
            if (is_named <= 0) {
                if (is_named < 0) {
                    return -1;
                }
                continue;
            }
        }
        Py_ssize_t limit = s->len < 7 ? 1 : 2, p = s->len < prefix ? s->len : prefix;
        for (Py_ssize_t start = -1; start <= n;) {
            /* start -1: the compact label; else the piece of the label from start to the next hyphen */
            const Py_UCS4 *piece = start < 0 ? compact : label + start;
            Py_ssize_t len = 0;
            if (start < 0) {
                len = n_compact;
                start = 0;
            }
            else {
                while (start + len < n && label[start + len] != '-') {
                    len++;
                }
                start += len + 1;
            }
            if ((len < prefix ? len : prefix) != p || memcmp(piece, s->chars, (size_t)p * sizeof(Py_UCS4)) != 0
                || (len == s->len && memcmp(piece, s->chars, (size_t)len * sizeof(Py_UCS4)) == 0)
                || (len > s->len ? len - s->len : s->len - len) > 2) {
                continue;
            }
            Py_ssize_t *space = s->len < 64 ? rows : PyMem_New(Py_ssize_t, 2 * (s->len + 1));
            if (space == NULL) {
                PyErr_NoMemory();
                return -1;
            }
            Py_ssize_t distance = edit_distance(piece, len, s->chars, s->len, limit, space);
            if (space != rows) {
                PyMem_Free(space);
            }
            if (distance <= limit) {
                offer(best, s->len - distance, 0.8, s, WHY_SPELLED);
            }
        }
    }
    return 0;
}

PyObject *
link_lookalike(const name_table *table, PyObject *subdomain, PyObject *domain, PyObject *named, Py_ssize_t prefix)
{
    candidate best = {0};
    Py_ssize_t n_sub = PyUnicode_GET_LENGTH(subdomain), n_domain = PyUnicode_GET_LENGTH(domain);
    Py_ssize_t longest = n_sub > n_domain ? n_sub : n_domain;
    Py_ssize_t small[4 * 65];
    Py_UCS4 chars[64];
    Py_ssize_t *buffer = longest < 64 ? small : PyMem_New(Py_ssize_t, 4 * (longest + 1));
    Py_UCS4 *label = longest < 64 ? chars : PyMem_New(Py_UCS4, longest + 1);
    int ok = buffer != NULL && label != NULL ? 0 : -1;
    if (ok < 0) {
        PyErr_NoMemory();
    }
    /* the labels: each of subdomain.split("."), then the domain, the empty ones left out */
    for (Py_ssize_t start = 0; ok == 0 && start <= n_sub;) {
        Py_ssize_t n = 0;
        while (start + n < n_sub && PyUnicode_READ_CHAR(subdomain, start + n) != '.') {
            label[n] = PyUnicode_READ_CHAR(subdomain, start + n);
            n++;
        }
        start += n + 1;
        if (n > 0) {
            ok = judge_label(table, label, n, named, prefix, buffer, &best);
        }
    }
    if (ok == 0 && n_domain > 0) {
        for (Py_ssize_t i = 0; i < n_domain; i++) {
            label[i] = PyUnicode_READ_CHAR(domain, i);
        }
        ok = judge_label(table, label, n_domain, named, prefix, buffer, &best);
    }
    if (buffer != small) {
        PyMem_Free(buffer);
    }
    if (label != chars) {
        PyMem_Free(label);
    }
    if (ok < 0) {
        return NULL;
    }
    if (!best.set) {
        Py_RETURN_NONE;
    }
    PyObject *why = PyUnicode_FromFormat("%s%U", WHY_TEXT[best.why], best.word);
    PyObject *confidence = why == NULL ? NULL : PyFloat_FromDouble(best.confidence);
    PyObject *result = confidence == NULL ? NULL : PyTuple_Pack(3, best.brand, confidence, why);
    Py_XDECREF(why);
    Py_XDECREF(confidence);
    return result;
}
