/* Native feature extraction: the C version of smsguard.extract.extract_python, which stays the reference.
 *
 * One pass over the text computes the hints of the Python code (a digit, a bracket, the link hint, ...); then
 * hand-written scanners find the case numbers, amounts, phone numbers, dates and signatures exactly as the
 * regular expressions of smsguard/extract.py do, backtracking order included. `\d` is any Unicode decimal digit
 * and `\s` any Unicode white space, as for `re` on str patterns. The link expression is large and rarely needed:
 * when the link hint fires, its compiled `re` pattern finds the links and this module does the rest.
 *
 * The text is copied into a UCS4 buffer with PAD sentinel characters on each side, so that lookbehinds and
 * lookaheads near either end read a sentinel (which no class matches) instead of going out of bounds. Every
 * scanner stops at the first character that fails, so none reads further than one sentinel past the text.
 */
#include "extract_scan.h"

#define STACK_CHARS 512

static PyObject *normalized_type;  /* smsguard.normalize.NormalizedText */
static PyObject *nothing;          /* smsguard.extract._NOTHING */
static PyObject *link_search;      /* extract._LINK_RE.search */
static PyObject *fallback_fn;      /* the Python reference, for anything but an exact NormalizedText */
static PyObject *str_text, *str_starts, *str_ends, *str_span, *one;
static sg_record features_rec, text_feature_rec, amount_rec, link_rec;
static int ready;

/* ---- matches and taken spans ---------------------------------------------------------------------------- */

typedef struct {
    match_t *v;
    Py_ssize_t n, cap;
    match_t small[8];
} matches_t;

static void
matches_init(matches_t *m)
{
    m->v = m->small;
    m->n = 0;
    m->cap = (Py_ssize_t)(sizeof(m->small) / sizeof(m->small[0]));
}

static void
matches_free(matches_t *m)
{
    if (m->v != m->small) {
        PyMem_Free(m->v);
    }
    m->v = m->small;
}

static match_t *
matches_add(matches_t *m)
{
    if (m->n == m->cap) {
        Py_ssize_t cap = m->cap * 2;
        match_t *v = PyMem_Malloc((size_t)cap * sizeof(match_t));
        if (v == NULL) {
            PyErr_NoMemory();
            return NULL;
        }
        memcpy(v, m->v, (size_t)m->n * sizeof(match_t));
        matches_free(m);
        m->v = v;
        m->cap = cap;
    }
    match_t *slot = &m->v[m->n++];
    memset(slot, 0, sizeof(*slot));
    return slot;
}

/* extract._taken and extract._is_free over a list of (start, end) spans kept in a matches_t (a, b). */
static int
span_cmp(const void *l, const void *r)
{
    const match_t *p = l, *q = r;
    if (p->a != q->a) {
        return p->a < q->a ? -1 : 1;
    }
    return p->b < q->b ? -1 : (p->b > q->b);
}

static int
taken_add(matches_t *taken, const matches_t *spans)
{
    int was_empty = taken->n == 0;
    for (Py_ssize_t i = 0; i < spans->n; i++) {
        match_t *slot = matches_add(taken);
        if (slot == NULL) {
            return -1;
        }
        slot->a = spans->v[i].a;
        slot->b = spans->v[i].b;
    }
    if (was_empty) {
        return 0;  /* `_taken` returns `spans` itself, unmerged */
    }
    qsort(taken->v, (size_t)taken->n, sizeof(match_t), span_cmp);
    Py_ssize_t out = 0;
    for (Py_ssize_t i = 0; i < taken->n; i++) {
        match_t s = taken->v[i];
        if (out && s.a < taken->v[out - 1].b) {
            if (s.b > taken->v[out - 1].b) {
                taken->v[out - 1].b = s.b;
            }
        }
        else {
            taken->v[out++] = s;
        }
    }
    taken->n = out;
    return 0;
}

static int
is_free(const matches_t *taken, Py_ssize_t start, Py_ssize_t end)
{
    if (taken->n == 0) {
        return 1;
    }
    Py_ssize_t lo = 0, hi = taken->n;  /* bisect_left(taken, (end,)) */
    while (lo < hi) {
        Py_ssize_t mid = (lo + hi) / 2;
        if (taken->v[mid].a < end) {
            lo = mid + 1;
        }
        else {
            hi = mid;
        }
    }
    return lo == 0 || taken->v[lo - 1].b <= start;
}

/* Every match of one kind, as extract._found (with `taken`) or finditer (without) finds them. */
static int
scan(int kind, const Py_UCS4 *t, Py_ssize_t n, const matches_t *taken, matches_t *out)
{
    match_t m;
    Py_ssize_t p = 0;
    while (p < n) {
        Py_ssize_t e;
        if (!may_start(kind, t[p])) {
            p++;
            continue;
        }
        memset(&m, 0, sizeof(m));
        switch (kind) {
        case K_CASE: e = case_at(t, p); break;
        case K_AMOUNT: e = amount_at(t, p, &m); break;
        case K_PHONE: e = phone_at(t, p); break;
        case K_DATE: e = date_at(t, p); break;
        default: e = signature_at(t, n, p, &m); break;
        }
        if (e < 0) {
            p++;
            continue;
        }
        if (taken == NULL || is_free(taken, p, e)) {
            match_t *slot = matches_add(out);
            if (slot == NULL) {
                return -1;
            }
            *slot = m;
            slot->a = p;
            slot->b = e;
        }
        p = e;  /* every match is longer than one character */
    }
    return 0;
}


/* ---- building the records --------------------------------------------------------------------------------- */

typedef struct {
    PyObject *ntext, *text;
    PyObject *starts, *ends;  /* NULL: the identity map */
    Py_ssize_t n;
    const Py_UCS4 *t;
} ctx_t;

/* ntext.to_original(a, b); the tuples are read directly when they can answer, the method is called otherwise
 * (and raises what it raises for a map that does not fit the text). */
static PyObject *
original_span(const ctx_t *cx, Py_ssize_t a, Py_ssize_t b, PyObject *nspan)
{
    if (cx->starts == NULL) {
        return Py_NewRef(nspan);
    }
    Py_ssize_t last = (b < cx->n ? b : cx->n) - 1;
    if (PyTuple_CheckExact(cx->starts) && PyTuple_CheckExact(cx->ends) && 0 <= a && a < b &&
        a < PyTuple_GET_SIZE(cx->starts) && 0 <= last && last < PyTuple_GET_SIZE(cx->ends)) {
        PyObject *span = PyTuple_New(2);
        if (span != NULL) {
            PyTuple_SET_ITEM(span, 0, Py_NewRef(PyTuple_GET_ITEM(cx->starts, a)));
            PyTuple_SET_ITEM(span, 1, Py_NewRef(PyTuple_GET_ITEM(cx->ends, last)));
        }
        return span;
    }
    return PyObject_CallMethod(cx->ntext, "to_original", "nn", a, b);
}

/* t[a:b] without '-' and ' ' (a phone number) or without white space (a case number) */
static PyObject *
squeezed(const Py_UCS4 *t, Py_ssize_t a, Py_ssize_t b, int phone)
{
    Py_UCS4 small[64] = {0}, *buf = small;
    if (b - a > (Py_ssize_t)(sizeof(small) / sizeof(small[0]))) {
        buf = PyMem_Malloc((size_t)(b - a) * sizeof(Py_UCS4));
        if (buf == NULL) {
            return PyErr_NoMemory();
        }
    }
    Py_ssize_t k = 0;
    for (Py_ssize_t i = a; i < b; i++) {
        if (phone ? !is_dash_space(t[i]) : !is_space(t[i])) {
            buf[k++] = t[i];
        }
    }
    PyObject *value = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, buf, k);
    if (buf != small) {
        PyMem_Free(buf);
    }
    return value;
}

/* float(f"{whole}.{cents}" if cents else whole), times 10,000 for 万: the digits read as ASCII, as float() does */
static PyObject *
amount_yuan(const Py_UCS4 *t, const match_t *m)
{
    char small[64], *buf = small;
    size_t size = (size_t)(m->y - m->x) + (size_t)(m->d - m->c) + 2;
    if (size > sizeof(small)) {
        buf = PyMem_Malloc(size);
        if (buf == NULL) {
            return PyErr_NoMemory();
        }
    }
    size_t k = 0;
    for (Py_ssize_t i = m->x; i < m->y; i++) {
        if (t[i] != ',') {
            buf[k++] = (char)('0' + Py_UNICODE_TODECIMAL(t[i]));
        }
    }
    if (m->c < m->d) {
        buf[k++] = '.';
        for (Py_ssize_t i = m->c; i < m->d; i++) {
            buf[k++] = (char)('0' + Py_UNICODE_TODECIMAL(t[i]));
        }
    }
    buf[k] = '\0';
    double value = PyOS_string_to_double(buf, NULL, NULL);
    if (buf != small) {
        PyMem_Free(buf);
    }
    if (value == -1.0 && PyErr_Occurred()) {
        return NULL;
    }
    return PyFloat_FromDouble(m->wan ? value * 10000 : value);
}

static PyObject *
feature(int kind, const ctx_t *cx, const match_t *m)
{
    PyObject *value, *text = NULL, *nspan = NULL, *span = NULL, *record = NULL;
    switch (kind) {
    case K_CASE: value = squeezed(cx->t, m->a, m->b, 0); break;
    case K_PHONE: value = squeezed(cx->t, m->a, m->b, 1); break;
    case K_AMOUNT: value = amount_yuan(cx->t, m); break;
    case K_DATE: value = PyUnicode_Substring(cx->text, m->a, m->b); break;
    default: value = PyUnicode_Substring(cx->text, m->x, m->y); break;
    }
    if (value == NULL || (nspan = sg_span(m->a, m->b)) == NULL ||
        (span = original_span(cx, m->a, m->b, nspan)) == NULL) {
        goto done;
    }
    if (kind == K_AMOUNT) {
        if ((text = PyUnicode_Substring(cx->text, m->a, m->b)) != NULL) {
            PyObject *values[] = {value, text, span, nspan};
            record = sg_record_new(&amount_rec, values);
        }
    }
    else {
        PyObject *values[] = {value, span, nspan};
        record = sg_record_new(&text_feature_rec, values);
    }
done:
    Py_XDECREF(value);
    Py_XDECREF(text);
    Py_XDECREF(nspan);
    Py_XDECREF(span);
    return record;
}

static PyObject *
features_tuple(int kind, const ctx_t *cx, const matches_t *ms)
{
    PyObject *tuple = PyTuple_New(ms->n);
    for (Py_ssize_t i = 0; tuple != NULL && i < ms->n; i++) {
        PyObject *item = feature(kind, cx, &ms->v[i]);
        if (item == NULL) {
            Py_CLEAR(tuple);
            break;
        }
        PyTuple_SET_ITEM(tuple, i, item);
    }
    return tuple;
}

/* ---- links: the Python expression finds them, the rest of extract._link is done here --------------------- */

/* extract._host_of(url): the span of the host in u[0:n] */
static void
host_of(const Py_UCS4 *u, Py_ssize_t n, Py_ssize_t *start, Py_ssize_t *end)
{
    Py_ssize_t a = 0, b, i = 0;
    while (i < n && u[i] >= 'a' && u[i] <= 'z') {
        i++;
    }
    if (i > 0 && i + 3 <= n && u[i] == ':' && u[i + 1] == '/' && u[i + 2] == '/') {
        a = i + 3;  /* ^[a-z]+:// */
    }
    for (b = a; b < n && u[b] != '/' && u[b] != '?' && u[b] != '#'; b++) {
    }
    for (i = b; i > a; i--) {  /* rsplit("@", 1)[-1] */
        if (u[i - 1] == '@') {
            a = i;
            break;
        }
    }
    for (i = a; i < b; i++) {  /* split(":", 1)[0] */
        if (u[i] == ':') {
            b = i;
            break;
        }
    }
    while (a < b && u[a] == '.') {
        a++;
    }
    while (b > a && u[b - 1] == '.') {
        b--;
    }
    *start = a;
    *end = b;
}

/* Whether u[a:b] matches ^(?:\d{1,3}\.){3}\d{1,3}$ with an octet above 255 */
static int
is_bad_ip(const Py_UCS4 *u, Py_ssize_t a, Py_ssize_t b)
{
    int bad = 0;
    if (b > a && u[b - 1] == '\n') {
        b--;  /* $ matches before a final newline, and int() ignores it */
    }
    for (int octet = 0; octet < 4; octet++) {
        int value = 0, k = 0;
        while (a < b && k < 4 && is_digit(u[a])) {
            value = value * 10 + Py_UNICODE_TODECIMAL(u[a]);
            a++;
            k++;
        }
        if (k < 1 || k > 3 || (octet < 3 && (a >= b || u[a++] != '.'))) {
            return 0;
        }
        bad |= value > 255;
    }
    return a == b && bad;
}

static inline int
is_link_tail(Py_UCS4 c)  /* what extract._link strips from the end of a match */
{
    switch (c) {
    case '.': case ',': case ';': case ':': case '!': case '?': case 0x3002: case ' ': case '\t':
        return 1;
    default:
        return 0;
    }
}

/* The Link of the match t[a:b] of the link expression, None for an IP address with an octet above 255 */
static PyObject *
make_link(const ctx_t *cx, Py_ssize_t a, Py_ssize_t b, matches_t *taken)
{
    const Py_UCS4 *t = cx->t;
    Py_UCS4 small[128], *u = small;
    PyObject *url = NULL, *host = NULL, *nspan = NULL, *span = NULL, *link = NULL;
    while (b > a && is_link_tail(t[b - 1])) {
        b--;
    }
    if (b - a > (Py_ssize_t)(sizeof(small) / sizeof(small[0])) &&
        (u = PyMem_Malloc((size_t)(b - a) * sizeof(Py_UCS4))) == NULL) {
        return PyErr_NoMemory();
    }
    Py_ssize_t n = 0, ha, hb;
    for (Py_ssize_t i = a; i < b; i++) {
        if (t[i] != ' ' && t[i] != '\t') {
            u[n++] = t[i] == 0x3002 ? '.' : t[i];
        }
    }
    host_of(u, n, &ha, &hb);
    if (is_bad_ip(u, ha, hb)) {
        link = Py_NewRef(Py_None);
        goto done;
    }
    match_t *slot = matches_add(taken);
    if (slot == NULL || (url = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, u, n)) == NULL ||
        (host = PyUnicode_Substring(url, ha, hb)) == NULL || (nspan = sg_span(a, b)) == NULL ||
        (span = original_span(cx, a, b, nspan)) == NULL) {
        goto done;
    }
    slot->a = a;
    slot->b = b;
    PyObject *values[] = {url, host, span, nspan};
    link = sg_record_new(&link_rec, values);
done:
    if (u != small) {
        PyMem_Free(u);
    }
    Py_XDECREF(url);
    Py_XDECREF(host);
    Py_XDECREF(nspan);
    Py_XDECREF(span);
    return link;
}

/* extract._links: every match of extract._LINK_RE, searched by `re` from here; their spans are the first taken */
static PyObject *
find_links(const ctx_t *cx, matches_t *taken)
{
    PyObject *links = PyList_New(0), *result = NULL;
    Py_ssize_t pos = 0;
    while (links != NULL) {
        PyObject *start = PyLong_FromSsize_t(pos), *m = NULL, *span = NULL, *link = NULL;
        if (start != NULL) {
            PyObject *args[] = {cx->text, start};
            m = PyObject_Vectorcall(link_search, args, 2, NULL);
            Py_DECREF(start);
        }
        if (m == NULL || m == Py_None) {
            result = m == NULL ? NULL : PyList_AsTuple(links);
            Py_XDECREF(m);
            break;
        }
        span = PyObject_CallMethodOneArg(m, str_span, one);
        Py_DECREF(m);
        if (span == NULL || !PyTuple_Check(span) || PyTuple_GET_SIZE(span) != 2) {
            if (span != NULL) {
                Py_DECREF(span);
                PyErr_SetString(PyExc_TypeError, "Match.span() did not return a pair");
            }
            break;
        }
        Py_ssize_t a = PyLong_AsSsize_t(PyTuple_GET_ITEM(span, 0)), b = PyLong_AsSsize_t(PyTuple_GET_ITEM(span, 1));
        Py_DECREF(span);
        if (a < 0 || b < a || b > cx->n) {  /* cannot happen: group 1 of a match of the text */
            if (!PyErr_Occurred()) {
                PyErr_SetString(PyExc_SystemError, "a link match outside the text");
            }
            break;
        }
        pos = b > a + 1 ? b : a + 1;
        if ((link = make_link(cx, a, b, taken)) == NULL || (link != Py_None && PyList_Append(links, link) < 0)) {
            Py_XDECREF(link);
            break;
        }
        Py_DECREF(link);
    }
    Py_XDECREF(links);
    return result;
}

static PyObject *
run(ctx_t *cx)
{
    const Py_UCS4 *t = cx->t;
    Py_ssize_t n = cx->n;
    PyObject *links = NULL, *result = NULL, *tuples[5] = {NULL};
    matches_t taken, found[5];
    matches_init(&taken);
    for (int k = 0; k < 5; k++) {
        matches_init(&found[k]);
    }
    int h = hints(t, n);
    links = h & H_LINK ? find_links(cx, &taken) : PyTuple_New(0);
    if (links == NULL) {
        goto done;
    }
    if (h & H_DIGIT) {
        if (h & H_PAREN) {
            if (scan(K_CASE, t, n, NULL, &found[K_CASE]) < 0 || taken_add(&taken, &found[K_CASE]) < 0) {
                goto done;
            }
        }
        if (h & H_AMOUNT) {
            if (scan(K_AMOUNT, t, n, &taken, &found[K_AMOUNT]) < 0 ||
                (found[K_AMOUNT].n && taken_add(&taken, &found[K_AMOUNT]) < 0)) {
                goto done;
            }
        }
        if (scan(K_PHONE, t, n, &taken, &found[K_PHONE]) < 0) {
            goto done;
        }
    }
    if ((h & H_DATE) && scan(K_DATE, t, n, &taken, &found[K_DATE]) < 0) {
        goto done;
    }
    if ((h & H_BRACKET) && scan(K_SIGNATURE, t, n, NULL, &found[K_SIGNATURE]) < 0) {
        goto done;
    }
    Py_ssize_t total = PyTuple_GET_SIZE(links);
    for (int k = 0; k < 5; k++) {
        total += found[k].n;
    }
    if (total == 0) {
        result = Py_NewRef(nothing);
        goto done;
    }
    /* the order in which the Python reference maps spans (and so meets a bad offset map) */
    for (int k = 0; k < 5; k++) {
        if ((tuples[k] = features_tuple(k, cx, &found[k])) == NULL) {
            goto done;
        }
    }
    PyObject *values[] = {links, tuples[K_PHONE], tuples[K_AMOUNT], tuples[K_DATE], tuples[K_SIGNATURE],
                          tuples[K_CASE]};
    result = sg_record_new(&features_rec, values);
done:
    Py_XDECREF(links);
    for (int k = 0; k < 5; k++) {
        Py_XDECREF(tuples[k]);
        matches_free(&found[k]);
    }
    matches_free(&taken);
    return result;
}

PyDoc_STRVAR(extract_doc,
             "extract($module, ntext, /)\n--\n\n"
             "Find links, phone numbers, amounts, dates, signatures and case numbers in a normalized text.");

static PyObject *
extract(PyObject *module, PyObject *ntext)
{
    if (!ready) {
        PyErr_SetString(PyExc_RuntimeError, "smsguard._cextract.setup() was not called");
        return NULL;
    }
    if (Py_TYPE(ntext) != (PyTypeObject *)normalized_type) {
        return PyObject_CallOneArg(fallback_fn, ntext);
    }
    ctx_t cx = {.ntext = ntext};
    PyObject *result = NULL;
    Py_UCS4 small[STACK_CHARS + 2 * PAD], *mem = small;
    cx.text = PyObject_GetAttr(ntext, str_text);
    if (cx.text == NULL) {
        return NULL;
    }
    if (!PyUnicode_CheckExact(cx.text)) {
        Py_DECREF(cx.text);
        return PyObject_CallOneArg(fallback_fn, ntext);
    }
    if ((cx.starts = PyObject_GetAttr(ntext, str_starts)) == NULL ||
        (cx.ends = PyObject_GetAttr(ntext, str_ends)) == NULL) {
        goto done;
    }
    if (cx.starts == Py_None || cx.ends == Py_None) {
        Py_CLEAR(cx.starts);
        Py_CLEAR(cx.ends);
    }
    cx.n = PyUnicode_GET_LENGTH(cx.text);
    if (cx.n > STACK_CHARS) {
        if ((size_t)cx.n > PY_SSIZE_T_MAX / sizeof(Py_UCS4) - 2 * PAD ||
            (mem = PyMem_Malloc(((size_t)cx.n + 2 * PAD) * sizeof(Py_UCS4))) == NULL) {
            PyErr_NoMemory();
            goto done;
        }
    }
    for (Py_ssize_t i = 0; i < PAD; i++) {
        mem[i] = mem[PAD + cx.n + i] = SENT;
    }
    if (PyUnicode_AsUCS4(cx.text, mem + PAD, cx.n, 0) == NULL) {
        goto done;
    }
    cx.t = mem + PAD;
    result = run(&cx);
done:
    if (mem != small) {
        PyMem_Free(mem);
    }
    Py_DECREF(cx.text);
    Py_XDECREF(cx.starts);
    Py_XDECREF(cx.ends);
    return result;
}

static void
clear_state(void)
{
    ready = 0;
    Py_CLEAR(normalized_type);
    Py_CLEAR(nothing);
    Py_CLEAR(link_search);
    Py_CLEAR(fallback_fn);
    sg_record_clear(&features_rec);
    sg_record_clear(&text_feature_rec);
    sg_record_clear(&amount_rec);
    sg_record_clear(&link_rec);
}

PyDoc_STRVAR(setup_doc,
             "setup($module, normalized_text, features, text_feature, amount, link, nothing, link_search, fallback, /)"
             "\n--\n\n"
             "Give the module the classes it builds, the empty Features, the search method of the link expression\n"
             "and the Python extraction, called for anything but an exact NormalizedText.");

static PyObject *
setup(PyObject *module, PyObject *args)
{
    static const char *const features_fields[] = {"links", "phones", "amounts", "dates", "signatures",
                                                   "case_numbers", NULL};
    static const char *const text_feature_fields[] = {"value", "span", "nspan", NULL};
    static const char *const amount_fields[] = {"yuan", "text", "span", "nspan", NULL};
    static const char *const link_fields[] = {"text", "host", "span", "nspan", NULL};
    PyObject *normalized, *features, *text_feature, *amount, *link, *empty, *search, *fallback;
    if (!PyArg_ParseTuple(args, "O!OOOOOOO:setup", &PyType_Type, &normalized, &features, &text_feature, &amount,
                          &link, &empty, &search, &fallback)) {
        return NULL;
    }
    if (!PyCallable_Check(search) || !PyCallable_Check(fallback)) {
        PyErr_SetString(PyExc_TypeError, "setup: link_search and fallback must be callable");
        return NULL;
    }
    clear_state();
    if (sg_record_init(&features_rec, features, features_fields) < 0 ||
        sg_record_init(&text_feature_rec, text_feature, text_feature_fields) < 0 ||
        sg_record_init(&amount_rec, amount, amount_fields) < 0 || sg_record_init(&link_rec, link, link_fields) < 0) {
        clear_state();
        return NULL;
    }
    normalized_type = Py_NewRef(normalized);
    nothing = Py_NewRef(empty);
    link_search = Py_NewRef(search);
    fallback_fn = Py_NewRef(fallback);
    ready = 1;
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"extract", extract, METH_O, extract_doc},
    {"setup", setup, METH_VARARGS, setup_doc},
    {NULL, NULL, 0, NULL},
};

static void
module_free(void *module)
{
    clear_state();
    Py_CLEAR(str_text);
    Py_CLEAR(str_starts);
    Py_CLEAR(str_ends);
    Py_CLEAR(str_span);
    Py_CLEAR(one);
}

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "smsguard._cextract",
    .m_doc = "Native feature extraction (see smsguard.extract).",
    .m_size = -1,
    .m_methods = methods,
    .m_free = module_free,
};

PyMODINIT_FUNC
PyInit__cextract(void)
{
    find_digit_gaps();
    if ((str_text = PyUnicode_InternFromString("text")) == NULL ||
        (str_starts = PyUnicode_InternFromString("starts")) == NULL ||
        (str_ends = PyUnicode_InternFromString("ends")) == NULL ||
        (str_span = PyUnicode_InternFromString("span")) == NULL || (one = PyLong_FromLong(1)) == NULL) {
        return NULL;
    }
    return PyModule_Create(&module_def);
}
