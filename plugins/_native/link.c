/* smsguard_plugins._clink: the body of the link checker (plugins/link.py detect_reference) in C.
 *
 * bind() takes the reference, the records and tables the body reads, the brand helpers (from_lexicons and
 * find_claims, themselves C where plugins/_cbrands is built) and the library work it leaves to Python (the
 * Public Suffix List split, the IDNA decoding of a punycode host, the two small patterns), and returns a
 * Detector: a callable with the reference's signature and results.
 *
 * The C does the rest: the official-domain and shortener look-ups over the host's suffixes (official_brand and
 * _under), the at-sign, punycode and risky-TLD tests, the lookalike test (link_names.c) behind the memo the
 * reference shares, and the merging of the signals (_Collector). The two patterns are called only where their
 * first character can match: \d for _IP_HOST, [0-9-] for _NUMERIC_LABEL.
 *
 * A message without links costs one slot read. Input of another shape (a record of a subclass, a table that is
 * not what _lists builds) goes to the reference; every such test is made before the C has done anything but fill
 * the caches the reference shares (find_claims' last message, the lookalike memo), which hold what the reference
 * would put there.
 */
#include "detector.h"
#include "link.h"

enum {
    F_REFERENCE, F_SIGNAL, F_FEATURES, F_LINK, F_CLAIM, F_PARTS, F_LISTS, F_MESSAGE, F_FROM_LEXICONS, F_LIST_ARGS,
    F_OFFICIAL_ARGS, F_DISPLAY_ARGS, F_FIND_CLAIMS, F_SPLIT, F_READABLE, F_IP_HOST, F_NUMERIC_LABEL, F_PLUGIN,
    F_MEMO_LIMIT, F_SPELLING_PREFIX, N_FIELDS
};
static const char *const FIELD_NAMES[N_FIELDS] = {
    "reference", "signal", "features", "link", "claim", "parts", "lists", "message", "from_lexicons", "list_args",
    "official_args", "display_args", "find_claims", "split", "readable", "ip_host", "numeric_label", "plugin",
    "memo_limit", "spelling_prefix",
};

/* the signals the collector merges, in no particular order (the output keeps the order of the first add) */
enum {
    N_SHORTENER, N_IP_HOST, N_PUNYCODE, N_RISKY_TLD, N_NUMERIC_DOMAIN, N_AT_SIGN, N_LOOKALIKE, N_OFFICIAL,
    N_BRAND_MISMATCH, N_PRESENT, N_ALL_OFFICIAL, N_NAMES
};
static const char *const NAMES[N_NAMES] = {
    "link.shortener", "link.ip_host", "link.punycode", "link.risky_tld", "link.numeric_domain", "link.at_sign",
    "link.lookalike", "link.official", "link.brand_mismatch", "link.present", "link.all_official",
};
static PyObject *NAME[N_NAMES];
static PyObject *s_env, *s_to_original, *empty_str, *one;

/* slots read by offset, per record */
enum { L_TEXT, L_HOST, L_SPAN, N_LINK_SLOTS };
enum { C_BRAND, C_NAME, C_START, C_END, C_IN_SIGNATURE, N_CLAIM_SLOTS };
enum { P_SUBDOMAIN, P_DOMAIN, P_SUFFIX, N_PARTS_SLOTS };
enum { T_SHORTENERS, T_RISKY_TLDS, T_KEYWORDS, T_SPELLINGS, T_MEMO, N_LISTS_SLOTS };

typedef struct {
    dt_head head;
    PyObject *f[N_FIELDS];
    sg_record signal;
    Py_ssize_t links_slot, link_slots[N_LINK_SLOTS], claim_slots[N_CLAIM_SLOTS], parts_slots[N_PARTS_SLOTS];
    Py_ssize_t lists_slots[N_LISTS_SLOTS];
    Py_ssize_t memo_limit, spelling_prefix;
    name_table names;
} Detector;

#define FALLBACK 1  /* what a step returns when the reference must answer the message */

/* What one message builds; every reference strong. */
typedef struct {
    Detector *d;
    PyObject *text;  /* borrowed: the argument */
    PyObject *spans;                  /* the links' spans, a tuple */
    PyObject *env, *lists, *claims, *official, *display, *claim_span;
    PyObject *tables[N_LISTS_SLOTS];  /* the slots of lists */
    PyObject *named;                  /* the brands of the claims, a frozenset */
    PyObject *claim[N_CLAIM_SLOTS];   /* the slots of the first claim, when there is one */
    link_merge out;
} state;

static void
state_clear(state *st)
{
    link_merge_clear(&st->out);
    Py_XDECREF(st->env);
    Py_XDECREF(st->lists);
    Py_XDECREF(st->claims);
    Py_XDECREF(st->official);
    Py_XDECREF(st->display);
    Py_XDECREF(st->named);
    Py_XDECREF(st->claim_span);
    Py_XDECREF(st->spans);
    for (int i = 0; i < N_LISTS_SLOTS; i++) {
        Py_XDECREF(st->tables[i]);
    }
    for (int i = 0; i < N_CLAIM_SLOTS; i++) {
        Py_XDECREF(st->claim[i]);
    }
}

/* the signals of the message: link.present, the merged ones in the order of their first add, link.all_official */
static PyObject *
signals(state *st, int all_official)
{
    const Detector *d = st->d;
    Py_ssize_t merged = st->out.n;
    PyObject *spans = st->spans, *count = PyLong_FromSsize_t(PyTuple_GET_SIZE(spans)), *result = NULL;
    if (count == NULL) {
        return NULL;
    }
    PyObject *present[6] = {NAME[N_PRESENT], count, one, spans, empty_str, d->f[F_PLUGIN]};
    PyObject *every[6] = {NAME[N_ALL_OFFICIAL], Py_True, one, spans, empty_str, d->f[F_PLUGIN]};
    PyObject *signal;
    if ((result = PyList_New(1 + merged + all_official)) == NULL) {
        goto done;
    }
    if ((signal = sg_record_new(&d->signal, present)) == NULL) {
        Py_CLEAR(result);
        goto done;
    }
    PyList_SET_ITEM(result, 0, signal);
    if (link_merge_signals(&st->out, result, 1, &d->signal, NAME, d->f[F_PLUGIN]) < 0) {
        Py_CLEAR(result);
        goto done;
    }
    if (all_official) {
        if ((signal = sg_record_new(&d->signal, every)) == NULL) {
            Py_CLEAR(result);
            goto done;
        }
        PyList_SET_ITEM(result, 1 + merged, signal);
    }
done:
    Py_DECREF(count);
    return result;
}

/* whether pattern.match(s) finds anything: 1, 0, or -1 */
static int
matches(PyObject *match, PyObject *s)
{
    PyObject *m = PyObject_Vectorcall(match, &s, 1, NULL);
    if (m == NULL) {
        return -1;
    }
    int result = m != Py_None;
    Py_DECREF(m);
    return result;
}

/* display_name(brand, env): a new reference */
static PyObject *
display_name(state *st, PyObject *brand)
{
    if (st->display == NULL) {
        PyObject *table = st->d->f[F_DISPLAY_ARGS];
        PyObject *args[4] = {PyTuple_GET_ITEM(table, 0), PyTuple_GET_ITEM(table, 1), PyTuple_GET_ITEM(table, 2),
                             st->env};
        if ((st->display = PyObject_Vectorcall(st->d->f[F_FROM_LEXICONS], args, 4, NULL)) == NULL) {
            return NULL;
        }
    }
    return dt_get(st->display, brand, brand);
}

/* out.add(name, value, confidence, [span], detail) */
static int
add(state *st, int name, PyObject *value, double confidence, PyObject *span, PyObject *detail)
{
    return link_merge_add(&st->out, name, value, confidence, span, NULL, detail);
}

/* the same with [span, second] (``second`` NULL for none), value and detail new references (NULL after a failure) */
static int
add_owned(state *st, int name, PyObject *value, double confidence, PyObject *span, PyObject *second,
          PyObject *detail)
{
    int result = -1;
    if (value != NULL && detail != NULL) {
        result = link_merge_add(&st->out, name, value, confidence, span, second, detail);
    }
    Py_XDECREF(value);
    Py_XDECREF(detail);
    return result;
}

/* The memo's (brand, confidence, why) or None for the host, computed and kept on a miss: a new reference, or
 * NULL with an exception set. */
static PyObject *
imitated_brand(state *st, PyObject *host, PyObject *subdomain, PyObject *domain)
{
    Detector *d = st->d;
    PyObject *key = PyTuple_Pack(2, host, st->named);
    if (key == NULL) {
        return NULL;
    }
    PyObject *imitated = PyDict_GetItemWithError(st->tables[T_MEMO], key);
    if (imitated != NULL || PyErr_Occurred()) {
        Py_DECREF(key);
        return Py_XNewRef(imitated);
    }
    /* the rows decoded again if the Python called since judged a message of other lexicons with this Detector */
    int loaded = link_names_load(&d->names, st->tables[T_KEYWORDS], st->tables[T_SPELLINGS]);
    imitated = loaded < 0 ? NULL : link_lookalike(&d->names, subdomain, domain, st->named, d->spelling_prefix);
    if (imitated != NULL && PyDict_GET_SIZE(st->tables[T_MEMO]) < d->memo_limit
        && PyDict_SetItem(st->tables[T_MEMO], key, imitated) < 0) {
        Py_CLEAR(imitated);
    }
    Py_DECREF(key);
    return imitated;
}

/* _judge_name: 0, -1, or FALLBACK */
static int
judge_name(state *st, PyObject *host, PyObject *span, PyObject *owner)
{
    const Detector *d = st->d;
    if (link_punycode(host)
        && add_owned(st, N_PUNYCODE, Py_NewRef(Py_True), 0.8, span, NULL,
                     PyObject_Vectorcall(d->f[F_READABLE], &host, 1, NULL)) < 0) {
        return -1;
    }
    PyObject *parts = PyObject_Vectorcall(d->f[F_SPLIT], &host, 1, NULL);
    if (parts == NULL) {
        return -1;
    }
    PyObject *p[N_PARTS_SLOTS];
    int result = Py_TYPE(parts) == (PyTypeObject *)d->f[F_PARTS] ? 0 : FALLBACK;
    for (int i = 0; result == 0 && i < N_PARTS_SLOTS; i++) {
        p[i] = DT_SLOT(parts, d->parts_slots[i]);
        result = p[i] != NULL && PyUnicode_CheckExact(p[i]) ? 0 : FALLBACK;
    }
    if (result != 0) {
        Py_DECREF(parts);
        return result;
    }
    PyObject *suffix_part = p[P_SUFFIX], *domain = p[P_DOMAIN];
    Py_ssize_t len = PyUnicode_GET_LENGTH(suffix_part);
    Py_ssize_t dot = PyUnicode_FindChar(suffix_part, '.', 0, len, -1);
    PyObject *tld = dot < 0 ? Py_NewRef(suffix_part) : PyUnicode_Substring(suffix_part, dot + 1, len);
    int risky = tld == NULL ? -1 : PySet_Contains(st->tables[T_RISKY_TLDS], tld);
    if (risky < 0 || (risky && add(st, N_RISKY_TLD, tld, 0.6, span, host) < 0)) {
        result = -1;
    }
    Py_XDECREF(tld);
    if (result < 0 || owner != NULL) {
        Py_DECREF(parts);
        return result;
    }
    if (PyUnicode_GET_LENGTH(domain) > 0) {
        Py_UCS4 first = PyUnicode_READ_CHAR(domain, 0);
        int numeric = (first >= '0' && first <= '9') || first == '-' ? matches(d->f[F_NUMERIC_LABEL], domain) : 0;
        if (numeric < 0 || (numeric && add(st, N_NUMERIC_DOMAIN, Py_True, 0.6, span, host) < 0)) {
            Py_DECREF(parts);
            return -1;
        }
    }
    PyObject *imitated = imitated_brand(st, host, p[P_SUBDOMAIN], domain);
    Py_DECREF(parts);
    if (imitated == NULL || imitated == Py_None) {
        Py_XDECREF(imitated);
        return imitated == NULL ? -1 : 0;
    }
    if (!PyTuple_CheckExact(imitated) || PyTuple_GET_SIZE(imitated) != 3
        || !PyUnicode_CheckExact(PyTuple_GET_ITEM(imitated, 0)) || !PyFloat_CheckExact(PyTuple_GET_ITEM(imitated, 1))
        || !PyUnicode_CheckExact(PyTuple_GET_ITEM(imitated, 2))) {
        Py_DECREF(imitated);
        return FALLBACK;  /* a memo entry the reference did not make */
    }
    result = add_owned(st, N_LOOKALIKE, display_name(st, PyTuple_GET_ITEM(imitated, 0)),
                       PyFloat_AS_DOUBLE(PyTuple_GET_ITEM(imitated, 1)), span, NULL,
                       PyUnicode_FromFormat("%U (%U)", host, PyTuple_GET_ITEM(imitated, 2)));
    Py_DECREF(imitated);
    return result;
}

/* _mismatch(out, link, claims[0], text, scale): 0, -1, or FALLBACK */
static int
mismatch(state *st, PyObject *host, PyObject *span, int shortener)
{
    if (st->claim_span == NULL) {
        PyObject *args[3] = {st->text, st->claim[C_START], st->claim[C_END]};
        st->claim_span = PyObject_VectorcallMethod(s_to_original, args, 3, NULL);
        if (st->claim_span == NULL) {
            return -1;
        }
    }
    PyObject *s = st->claim_span;
    if (!PyTuple_CheckExact(s) || PyTuple_GET_SIZE(s) != 2 || !PyLong_CheckExact(PyTuple_GET_ITEM(s, 0))
        || !PyLong_CheckExact(PyTuple_GET_ITEM(s, 1))) {
        return FALLBACK;
    }
    PyObject *name = st->claim[C_NAME];
    double confidence = (st->claim[C_IN_SIGNATURE] == Py_True ? 0.9 : 0.7) * (shortener ? 0.6 : 1.0);
    return add_owned(st, N_BRAND_MISMATCH, Py_NewRef(name), confidence, span, s,
                     PyUnicode_FromFormat("%U -> %U", name, host));
}

/* Whether a link is a plain Link: text and host exact str, span a tuple of two ints. */
static int
plain_link(const Detector *d, PyObject *link)
{
    if (Py_TYPE(link) != (PyTypeObject *)d->f[F_LINK]) {
        return 0;
    }
    PyObject *text = DT_SLOT(link, d->link_slots[L_TEXT]), *host = DT_SLOT(link, d->link_slots[L_HOST]);
    PyObject *span = DT_SLOT(link, d->link_slots[L_SPAN]);
    return text != NULL && host != NULL && span != NULL && PyUnicode_CheckExact(text) && PyUnicode_CheckExact(host)
           && PyTuple_CheckExact(span) && PyTuple_GET_SIZE(span) == 2 && PyLong_CheckExact(PyTuple_GET_ITEM(span, 0))
           && PyLong_CheckExact(PyTuple_GET_ITEM(span, 1));
}

/* every signal of one link: 0, -1, or FALLBACK */
static int
judge_link(state *st, PyObject *link, Py_ssize_t *official_count)
{
    const Detector *d = st->d;
    if (!plain_link(d, link)) {
        return FALLBACK;  /* changed since (object.__setattr__) by the Python the C called */
    }
    /* held: the Python called below could set a frozen record's slot anew */
    PyObject *host = Py_NewRef(DT_SLOT(link, d->link_slots[L_HOST]));
    PyObject *span = Py_NewRef(DT_SLOT(link, d->link_slots[L_SPAN]));
    PyObject *text = Py_NewRef(DT_SLOT(link, d->link_slots[L_TEXT]));
    link_suffixes sx;
    if (link_suffixes_init(&sx, host) < 0) {
        Py_DECREF(host);
        Py_DECREF(span);
        Py_DECREF(text);
        return -1;
    }
    int error = 0, result = -1;
    PyObject *owner = link_official_owner(st->official, &sx, &error);
    if (error) {
        goto done;
    }
    if (owner != NULL) {
        ++*official_count;
        if (add_owned(st, N_OFFICIAL, display_name(st, owner), 1.0, span, NULL, Py_NewRef(host)) < 0) {
            goto done;
        }
    }
    int shortener = link_under(st->tables[T_SHORTENERS], &sx);
    if (shortener < 0 || (shortener && add(st, N_SHORTENER, Py_True, 0.8, span, host) < 0)) {
        goto done;
    }
    if (link_at_sign(text) && add(st, N_AT_SIGN, Py_True, 0.9, span, text) < 0) {
        goto done;
    }
    /* _IP_HOST opens with \d, a decimal digit */
    int ip = PyUnicode_GET_LENGTH(host) > 0 && Py_UNICODE_ISDECIMAL(PyUnicode_READ_CHAR(host, 0))
                 ? matches(d->f[F_IP_HOST], host)
                 : 0;
    if (ip < 0) {
        goto done;
    }
    int step = ip ? add(st, N_IP_HOST, Py_True, 0.9, span, host) : judge_name(st, host, span, owner);
    if (step == 0 && st->claim[C_NAME] != NULL && owner == NULL) {
        step = mismatch(st, host, span, shortener);
    }
    result = step;
done:
    Py_XDECREF(owner);
    link_suffixes_clear(&sx);
    Py_DECREF(host);
    Py_DECREF(span);
    Py_DECREF(text);
    return result;
}

/* ---- the message ---- */

/* Whether the claims are a tuple of plain Claims (brand and name exact str, in_signature a bool). */
static int
plain_claims(const Detector *d, PyObject *claims)
{
    if (!PyTuple_CheckExact(claims)) {
        return 0;
    }
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(claims); i++) {
        PyObject *claim = PyTuple_GET_ITEM(claims, i);
        if (Py_TYPE(claim) != (PyTypeObject *)d->f[F_CLAIM]) {
            return 0;
        }
        for (int k = 0; k < N_CLAIM_SLOTS; k++) {
            PyObject *v = DT_SLOT(claim, d->claim_slots[k]);
            if (v == NULL || ((k == C_BRAND || k == C_NAME) && !PyUnicode_CheckExact(v))
                || (k == C_IN_SIGNATURE && !PyBool_Check(v))) {
                return 0;
            }
        }
    }
    return 1;
}

/* from_lexicons(*args, env): a new reference */
static PyObject *
lexicon_table(const state *st, PyObject *table)
{
    PyObject *args[4] = {PyTuple_GET_ITEM(table, 0), PyTuple_GET_ITEM(table, 1), PyTuple_GET_ITEM(table, 2),
                         st->env};
    return PyObject_Vectorcall(st->d->f[F_FROM_LEXICONS], args, 4, NULL);
}

/* The tables of _Lists: 0, or FALLBACK when they are not what _lists builds, or -1. */
static int
read_lists(state *st)
{
    Detector *d = st->d;
    if (Py_TYPE(st->lists) != (PyTypeObject *)d->f[F_LISTS]) {
        return FALLBACK;
    }
    PyObject **t = st->tables;
    for (int i = 0; i < N_LISTS_SLOTS; i++) {
        if ((t[i] = Py_XNewRef(DT_SLOT(st->lists, d->lists_slots[i]))) == NULL) {
            return FALLBACK;
        }
    }
    if (!PyFrozenSet_CheckExact(t[T_SHORTENERS]) || !PyFrozenSet_CheckExact(t[T_RISKY_TLDS])
        || !PyDict_CheckExact(t[T_MEMO])) {
        return FALLBACK;
    }
    int loaded = link_names_load(&d->names, t[T_KEYWORDS], t[T_SPELLINGS]);
    return loaded < 0 ? -1 : loaded ? 0 : FALLBACK;
}

/* The reference's body from the lexicon look-ups on: the signals, NULL, or FALLBACK (a borrowed marker). */
static PyObject *
judge(state *st, PyObject *features, PyObject *links)
{
    Detector *d = st->d;
    PyObject *message = PyObject_Vectorcall(d->f[F_MESSAGE], &st->text, 1, NULL);
    st->env = message == NULL ? NULL : PyObject_GetAttr(message, s_env);
    Py_XDECREF(message);
    if (st->env == NULL || (st->lists = lexicon_table(st, d->f[F_LIST_ARGS])) == NULL) {
        return NULL;
    }
    int step = read_lists(st);
    if (step != 0) {
        return step < 0 ? NULL : Py_None;
    }
    PyObject *args[2] = {st->text, features};
    if ((st->claims = PyObject_Vectorcall(d->f[F_FIND_CLAIMS], args, 2, NULL)) == NULL) {
        return NULL;
    }
    if (!plain_claims(d, st->claims)) {
        return Py_None;
    }
    Py_ssize_t n_claims = PyTuple_GET_SIZE(st->claims);
    PyObject *brands = PyTuple_New(n_claims);
    for (Py_ssize_t i = 0; brands != NULL && i < n_claims; i++) {
        PyObject *claim = PyTuple_GET_ITEM(st->claims, i);
        PyTuple_SET_ITEM(brands, i, Py_NewRef(DT_SLOT(claim, d->claim_slots[C_BRAND])));
        for (int k = 0; i == 0 && k < N_CLAIM_SLOTS; k++) {
            st->claim[k] = Py_NewRef(DT_SLOT(claim, d->claim_slots[k]));
        }
    }
    st->named = brands == NULL ? NULL : PyFrozenSet_New(brands);
    Py_XDECREF(brands);
    if (st->named == NULL) {
        return NULL;
    }
    if ((st->official = lexicon_table(st, d->f[F_OFFICIAL_ARGS])) == NULL) {
        return NULL;
    }
    if (!PyDict_CheckExact(st->official)) {
        return Py_None;
    }
    Py_ssize_t official_count = 0;
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(links); i++) {
        if ((step = judge_link(st, PyTuple_GET_ITEM(links, i), &official_count)) != 0) {
            return step < 0 ? NULL : Py_None;
        }
    }
    return signals(st, official_count == PyTuple_GET_SIZE(links));
}

static PyObject *
detector_call(Detector *d, PyObject *const *args, size_t nargsf, PyObject *kwnames)
{
    Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
    if (nargs != 3 || kwnames != NULL || Py_TYPE(args[2]) != (PyTypeObject *)d->f[F_FEATURES]) {
        return PyObject_Vectorcall(d->f[F_REFERENCE], args, nargs, kwnames);
    }
    PyObject *links = DT_SLOT(args[2], d->links_slot);
    if (links == NULL || !PyTuple_CheckExact(links)) {
        return PyObject_Vectorcall(d->f[F_REFERENCE], args, nargs, NULL);
    }
    if (PyTuple_GET_SIZE(links) == 0) {
        return PyList_New(0);  /* most messages */
    }
    Py_ssize_t n = PyTuple_GET_SIZE(links);
    for (Py_ssize_t i = 0; i < n; i++) {
        if (!plain_link(d, PyTuple_GET_ITEM(links, i))) {
            return PyObject_Vectorcall(d->f[F_REFERENCE], args, nargs, NULL);
        }
    }
    state st = {.d = d, .text = args[1], .spans = PyTuple_New(n)};
    if (st.spans == NULL) {
        return NULL;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyTuple_SET_ITEM(st.spans, i, Py_NewRef(DT_SLOT(PyTuple_GET_ITEM(links, i), d->link_slots[L_SPAN])));
    }
    link_merge_clear(&st.out);
    Py_INCREF(links);  /* the features' slot could be set anew by the Python the C calls */
    PyObject *result = judge(&st, args[2], links);
    Py_DECREF(links);
    state_clear(&st);
    if (result == Py_None) {
        return PyObject_Vectorcall(d->f[F_REFERENCE], args, nargs, NULL);
    }
    return result;
}

/* ---- the Detector type and bind ---- */

static PyTypeObject *detector_type;

static void
release(PyObject *self)
{
    Detector *d = (Detector *)self;
    sg_record_clear(&d->signal);
    link_names_clear(&d->names);
}

/* The offsets of the object slots ``names`` of class ``cls``; 0, or -1 with an exception set. */
static int
slot_offsets(PyObject *cls, const char *const *names, int n, Py_ssize_t *out)
{
    if (!PyType_Check(cls)) {
        PyErr_SetString(PyExc_TypeError, "bind: the records must be classes");
        return -1;
    }
    for (int i = 0; i < n; i++) {
        if (dt_slot_offset(cls, names[i], &out[i]) < 0) {
            return -1;
        }
    }
    return 0;
}

static int
read_bound(Detector *d)
{
    static const char *const link_slots[] = {"text", "host", "span"};
    static const char *const claim_slots[] = {"brand", "name", "start", "end", "in_signature"};
    static const char *const parts_slots[] = {"subdomain", "domain", "suffix"};
    static const char *const lists_slots[] = {"shorteners", "risky_tlds", "keywords", "spellings", "memo"};
    static const char *const features_slots[] = {"links"};
    static const char *const signal_fields[] = {"name", "value", "confidence", "spans", "detail", "plugin", NULL};
    if (slot_offsets(d->f[F_LINK], link_slots, N_LINK_SLOTS, d->link_slots) < 0
        || slot_offsets(d->f[F_CLAIM], claim_slots, N_CLAIM_SLOTS, d->claim_slots) < 0
        || slot_offsets(d->f[F_PARTS], parts_slots, N_PARTS_SLOTS, d->parts_slots) < 0
        || slot_offsets(d->f[F_LISTS], lists_slots, N_LISTS_SLOTS, d->lists_slots) < 0
        || slot_offsets(d->f[F_FEATURES], features_slots, 1, &d->links_slot) < 0
        || sg_record_init(&d->signal, d->f[F_SIGNAL], signal_fields) < 0) {
        return -1;
    }
    static const int TABLES[] = {F_LIST_ARGS, F_OFFICIAL_ARGS, F_DISPLAY_ARGS};
    for (int i = 0; i < 3; i++) {
        PyObject *v = d->f[TABLES[i]];
        if (!PyTuple_CheckExact(v) || PyTuple_GET_SIZE(v) != 3) {
            PyErr_Format(PyExc_TypeError, "bind: %s must be from_lexicons' (key, names, build)",
                         FIELD_NAMES[TABLES[i]]);
            return -1;
        }
    }
    if (!PyUnicode_CheckExact(d->f[F_PLUGIN])) {
        PyErr_SetString(PyExc_TypeError, "bind: plugin must be a str");
        return -1;
    }
    d->memo_limit = PyLong_CheckExact(d->f[F_MEMO_LIMIT]) ? PyLong_AsSsize_t(d->f[F_MEMO_LIMIT]) : -1;
    d->spelling_prefix = PyLong_CheckExact(d->f[F_SPELLING_PREFIX]) ? PyLong_AsSsize_t(d->f[F_SPELLING_PREFIX]) : -1;
    if (d->memo_limit < 0 || d->spelling_prefix < 0) {
        PyErr_Clear();
        PyErr_SetString(PyExc_ValueError, "bind: memo_limit and spelling_prefix must be ints from 0");
        return -1;
    }
    return 0;
}

static PyObject *
link_bind(PyObject *module, PyObject *args, PyObject *kwargs)
{
    Detector *d = DT_NEW(Detector, detector_type, (vectorcallfunc)detector_call, f, N_FIELDS);
    if (d == NULL) {
        return NULL;
    }
    d->head.release = release;
    if (dt_keywords(args, kwargs, FIELD_NAMES, N_FIELDS, d->f) < 0 || read_bound(d) < 0) {
        Py_DECREF(d);
        return NULL;
    }
    return (PyObject *)d;
}

static PyMethodDef link_methods[] = {
    {"bind", (PyCFunction)(void (*)(void))link_bind, METH_VARARGS | METH_KEYWORDS,
     "bind(*, reference, signal, features, link, claim, parts, lists, message, from_lexicons, list_args, "
     "official_args, display_args, find_claims, split, readable, ip_host, numeric_label, plugin, memo_limit, "
     "spelling_prefix): the link checker's body, a Detector"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef link_module = {
    PyModuleDef_HEAD_INIT, "smsguard_plugins._clink",
    "The link checker's body in C (see plugins/link.py, whose detect_reference it reproduces).", -1, link_methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC
PyInit__clink(void)
{
    static const char *const strings[] = {"env", "to_original", ""};
    PyObject **slots[] = {&s_env, &s_to_original, &empty_str};
    for (size_t i = 0; i < sizeof(slots) / sizeof(slots[0]); i++) {
        if (*slots[i] == NULL && (*slots[i] = PyUnicode_InternFromString(strings[i])) == NULL) {
            return NULL;
        }
    }
    if (dt_intern(NAMES, N_NAMES, NAME) < 0 || (one == NULL && (one = PyFloat_FromDouble(1.0)) == NULL)
        || (detector_type == NULL
            && (detector_type = dt_new_type("smsguard_plugins._clink.Detector",
                                            "The link checker's body: detector(message, text, features) -> "
                                            "list[Signal].",
                                            sizeof(Detector), NULL)) == NULL)) {
        return NULL;
    }
    return dt_module(&link_module, detector_type);
}
