/* The sender checker's body in C (smsguard_plugins._csender): detect_reference of plugins/sender.py.
 *
 * The C classifies the usual sender (ASCII digits: a mobile, a 106 port, a court or anti-fraud port, a virtual
 * operator) from the port table, builds the sender's signals, and judges the brand claim with find_claims. The
 * Python keeps what is rare or library work: any other sender shape goes through the cached _judged (and
 * phonenumbers), and a claim whose brand is named twice, or any odd input, goes to the reference before the C
 * has made anything of its own.
 */
#include "sender.h"

enum { K_EMPTY, K_UNKNOWN, K_MOBILE, K_VIRTUAL, K_INTERNATIONAL, K_PORT, K_HOTLINE, K_COURT, K_ANTIFRAUD, N_KINDS };
enum { C_BRAND, C_NAME, C_START, C_END, C_IN_SIGNATURE, C_SPEAKS, N_CLAIM_FIELDS };

/* A sender as SenderInfo has it; every reference is strong. */
typedef struct {
    PyObject *kind, *number, *value, *brand;
    int strong;
    PyObject *info;   /* the SenderInfo, when the Python made one */
    PyObject *fixed;  /* the signals of the sender alone: a tuple, or a list the C built */
} sender_info;

static struct {
    int native_records;
    sg_record signal;
    PyObject *reference, *brand_mismatch, *judged, *message, *from_lexicons, *port_args, *find_claims;
    PyObject *make_signal, *sender_info, *plugin, *empty, *cannot_mismatch, *personal;
    PyTypeObject *port_table_type, *claim_type, *info_type;
    PyObject *kinds[N_KINDS];
    Py_ssize_t claim_offsets[N_CLAIM_FIELDS];
    /* whether each kind is in cannot_mismatch, and in personal (a kind that is none of these: the sets say) */
    char cannot[N_KINDS], personal_kind[N_KINDS];
    /* constants */
    PyObject *one, *c09, *c08, *c06, *c05, *empty_tuple, *empty_str, *kwnames, *s_sender, *s_env,
        *l_claims, *l_semicolon, *l_sender, *l_space, *l_belongs, *s_court, *s_gov, *s_strong;
    PyObject *n_kind, *n_personal, *n_virtual, *n_international, *n_port, *n_hotline, *n_court, *n_antifraud;
    PyObject *n_mismatch;
} S;

/* Equal exact strs (a str subclass may compare otherwise in the reference: only the same object counts) */
static int
same_str(PyObject *a, PyObject *b)
{
    return a == b || (PyUnicode_CheckExact(a) && PyUnicode_CheckExact(b) && sg_same_str(a, b));
}

static void
clear_info(sender_info *in)
{
    Py_CLEAR(in->kind);
    Py_CLEAR(in->number);
    Py_CLEAR(in->value);
    Py_CLEAR(in->brand);
    Py_CLEAR(in->info);
    Py_CLEAR(in->fixed);
}

static void
set_info(sender_info *in, PyObject *kind, PyObject *number, PyObject *value, PyObject *brand, int strong)
{
    in->kind = Py_NewRef(kind);
    in->number = Py_NewRef(number);
    in->value = Py_NewRef(value);
    in->brand = Py_NewRef(brand);
    in->strong = strong;
}

/* An (info, fixed) pair of the Python (_EMPTY, _judged): 0, or FALLBACK when it is not the usual shape. */
static int
read_judged(PyObject *pair, sender_info *in)
{
    if (!PyTuple_CheckExact(pair) || PyTuple_GET_SIZE(pair) != 2) {
        return FALLBACK;
    }
    PyObject *info = PyTuple_GET_ITEM(pair, 0), *fixed = PyTuple_GET_ITEM(pair, 1);
    if (Py_TYPE(info) != S.info_type || PyTuple_GET_SIZE(info) != 5 || !PyTuple_CheckExact(fixed)) {
        return FALLBACK;
    }
    PyObject *strong = PyTuple_GET_ITEM(info, 4);
    for (int i = 0; i < 4; i++) {
        if (!PyUnicode_CheckExact(PyTuple_GET_ITEM(info, i))) {
            return FALLBACK;
        }
    }
    if (strong != Py_True && strong != Py_False) {
        return FALLBACK;
    }
    set_info(in, PyTuple_GET_ITEM(info, 0), PyTuple_GET_ITEM(info, 1), PyTuple_GET_ITEM(info, 2),
             PyTuple_GET_ITEM(info, 3), strong == Py_True);
    in->info = Py_NewRef(info);
    in->fixed = Py_NewRef(fixed);
    return 0;
}

/* ---- the port table and the mobile shape: _by_prefix ---- */

static int
is_mobile(PyObject *number)
{
    return PyUnicode_GET_LENGTH(number) == 11 && PyUnicode_READ_CHAR(number, 0) == '1'
           && PyUnicode_READ_CHAR(number, 1) >= '3' && PyUnicode_READ_CHAR(number, 1) <= '9';
}

/* _by_prefix on an ASCII-digit number, the table decoded (sender_table.c): 1 with *in set, 0 when neither
 * decides */
static int
by_prefix(PyObject *number, sender_info *in)
{
    Py_ssize_t len = PyUnicode_GET_LENGTH(number);
    const sp_row *row = sp_longest(PyUnicode_1BYTE_DATA(number), len);
    if (row != NULL) {
        Py_ssize_t extra = len - row->len;
        if (row->kind == SP_COURT && extra <= 4) {
            set_info(in, S.kinds[K_COURT], number, row->value, S.s_court, 0);
            return 1;
        }
        if (row->kind == SP_ANTIFRAUD && extra <= 4) {
            set_info(in, S.kinds[K_ANTIFRAUD], number, row->value, S.s_gov, 0);
            return 1;
        }
        if (row->kind == SP_PORT && 8 <= len && len <= 21) {
            set_info(in, S.kinds[K_PORT], number, row->value, S.empty_str, 0);
            return 1;
        }
        if (row->kind == SP_VIRTUAL && is_mobile(number)) {
            set_info(in, S.kinds[K_VIRTUAL], number, row->prefix, S.empty_str, row->strong);
            return 1;
        }
    }
    if (is_mobile(number)) {
        set_info(in, S.kinds[K_MOBILE], number, S.empty_str, S.empty_str, 0);
        return 1;
    }
    return 0;
}

/* ---- the signals ---- */

/* Signal(name, value, confidence, (), detail, _PLUGIN): _spanless */
static PyObject *
spanless(PyObject *name, PyObject *value, PyObject *confidence, PyObject *detail)
{
    PyObject *values[6] = {name, value, confidence, S.empty_tuple, detail, S.plugin};
    return sg_record_new(&S.signal, values);
}

/* _kind_signals: a list */
static PyObject *
kind_signals(const sender_info *in)
{
    PyObject *kind = in->kind, *name = NULL, *value = in->value, *confidence = S.one;
    if (kind == S.kinds[K_VIRTUAL]) {
        name = S.n_virtual;
        confidence = in->strong ? S.c09 : S.c05;
    }
    else if (kind == S.kinds[K_INTERNATIONAL]) {
        name = S.n_international;
        confidence = S.c09;
    }
    else if (kind == S.kinds[K_PORT]) {
        name = S.n_port;
    }
    else if (kind == S.kinds[K_HOTLINE]) {
        name = S.n_hotline;
    }
    else if (kind == S.kinds[K_COURT]) {
        name = S.n_court;
        value = Py_True;
    }
    else if (kind == S.kinds[K_ANTIFRAUD]) {
        name = S.n_antifraud;
        value = Py_True;
    }
    int personal = kind == S.kinds[K_MOBILE] || kind == S.kinds[K_VIRTUAL];
    PyObject *signals = PyList_New(1 + personal + (name != NULL)), *signal;
    if (signals == NULL) {
        return NULL;
    }
    Py_ssize_t i = 0;
    if ((signal = spanless(S.n_kind, kind, S.one, in->number)) == NULL) {
        goto error;
    }
    PyList_SET_ITEM(signals, i++, signal);
    if (personal) {
        if ((signal = spanless(S.n_personal, Py_True, S.one, in->number)) == NULL) {
            goto error;
        }
        PyList_SET_ITEM(signals, i++, signal);
    }
    if (name != NULL) {
        if ((signal = spanless(name, value, confidence, in->number)) == NULL) {
            goto error;
        }
        PyList_SET_ITEM(signals, i++, signal);
    }
    return signals;
error:
    Py_DECREF(signals);  /* the unset items are NULL, which list_dealloc skips */
    return NULL;
}

/* ---- the brand claim: _brand_mismatch ---- */

/* kind in set (cannot_mismatch or personal, flags its answers for the kinds the C names): 1, 0, or -1 */
static int
kind_in(PyObject *kind, const char *flags, PyObject *set)
{
    for (int i = 0; i < N_KINDS; i++) {
        if (kind == S.kinds[i]) {
            return flags[i];
        }
    }
    return PySet_Contains(set, kind);
}

/* The n strs (exact) one after another: f"{a}{b}..." */
static PyObject *
concat(PyObject *const *parts, int n)
{
    Py_ssize_t length = 0;
    Py_UCS4 widest = 0;
    for (int i = 0; i < n; i++) {
        length += PyUnicode_GET_LENGTH(parts[i]);
        widest |= PyUnicode_MAX_CHAR_VALUE(parts[i]);
    }
    PyObject *joined = PyUnicode_New(length, widest);
    Py_ssize_t at = 0;
    for (int i = 0; joined != NULL && i < n; i++) {
        if (PyUnicode_CopyCharacters(joined, at, parts[i], 0, PyUnicode_GET_LENGTH(parts[i])) < 0) {
            Py_CLEAR(joined);
        }
        else {
            at += PyUnicode_GET_LENGTH(parts[i]);
        }
    }
    return joined;
}

typedef struct {
    PyObject *f[N_CLAIM_FIELDS];  /* borrowed: the claims tuple holds the claim, which holds them */
} claim_view;

/* A Claim's slots, all set, with exact strs for brand and name and bools for the flags: 1, else 0. */
static int
read_claim(PyObject *claim, claim_view *out)
{
    if (Py_TYPE(claim) != S.claim_type) {
        return 0;
    }
    for (int i = 0; i < N_CLAIM_FIELDS; i++) {
        if ((out->f[i] = DT_SLOT(claim, S.claim_offsets[i])) == NULL) {
            return 0;
        }
    }
    return PyUnicode_CheckExact(out->f[C_BRAND]) && PyUnicode_CheckExact(out->f[C_NAME])
           && PyBool_Check(out->f[C_IN_SIGNATURE]) && PyBool_Check(out->f[C_SPEAKS]);
}

/* The mismatch signal into *out (NULL for none): 0, -1 with an exception set, or FALLBACK for the reference. */
static int
brand_mismatch(const sender_info *in, PyObject *text, PyObject *features, PyObject **out)
{
    *out = NULL;
    int cannot = kind_in(in->kind, S.cannot, S.cannot_mismatch);
    if (cannot != 0) {
        return cannot < 0 ? -1 : 0;
    }
    PyObject *args[2] = {text, features};
    PyObject *found = PyObject_Vectorcall(S.find_claims, args, 2, NULL);
    if (found == NULL) {
        return -1;
    }
    Py_ssize_t n = PyTuple_CheckExact(found) ? PyTuple_GET_SIZE(found) : -1;
    if (n <= 0) {
        Py_DECREF(found);
        return n == 0 ? 0 : FALLBACK;  /* most messages name no brand */
    }
    claim_view small[8], *claims = n <= 8 ? small : PyMem_New(claim_view, n);
    int result = 0;
    if (claims == NULL) {
        Py_DECREF(found);
        PyErr_NoMemory();
        return -1;
    }
    /* the claims in which the sender speaks as the brand */
    Py_ssize_t m = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (!read_claim(PyTuple_GET_ITEM(found, i), &claims[m])) {
            result = FALLBACK;
            goto done;
        }
        m += claims[m].f[C_SPEAKS] == Py_True;
    }
    if (m == 0) {
        goto done;
    }
    int personal = kind_in(in->kind, S.personal_kind, S.personal);
    if (personal < 0) {
        result = -1;
        goto done;
    }
    PyObject *confidence;
    Py_ssize_t chosen = m;
    int foreign = !personal && same_str(in->kind, S.kinds[K_INTERNATIONAL]);
    if (personal || foreign) {
        confidence = claims[0].f[C_IN_SIGNATURE] == Py_True ? S.c09 : S.c06;
    }
    else {
        if (PyUnicode_GET_LENGTH(in->brand) == 0) {
            goto done;
        }
        chosen = 0;
        for (Py_ssize_t i = 0; i < m; i++) {
            if (claims[i].f[C_IN_SIGNATURE] == Py_True && !same_str(claims[i].f[C_BRAND], in->brand)) {
                claims[chosen++] = claims[i];
            }
        }
        confidence = S.c08;
        if (chosen == 0) {
            goto done;
        }
    }
    Py_ssize_t same = 0;
    for (Py_ssize_t i = 0; i < chosen; i++) {
        same += same_str(claims[i].f[C_BRAND], claims[0].f[C_BRAND]);
    }
    if (same != 1 || !S.native_records) {
        result = FALLBACK;  /* the brand named twice: spans to merge, in the reference */
        goto done;
    }
    /* f"claims {first.name}; {why}", why being f"{kind} sender {number}" or f"{kind} {number} belongs to {value}" */
    PyObject *name = claims[0].f[C_NAME];
    PyObject *by_person[] = {S.l_claims, name, S.l_semicolon, in->kind, S.l_sender, in->number};
    PyObject *by_owner[] = {S.l_claims, name, S.l_semicolon, in->kind, S.l_space, in->number, S.l_belongs, in->value};
    PyObject *detail = personal || foreign ? concat(by_person, 6) : concat(by_owner, 8);
    PyObject *nspan = detail == NULL ? NULL : PyTuple_Pack(2, claims[0].f[C_START], claims[0].f[C_END]);
    PyObject *nspans = nspan == NULL ? NULL : PyList_New(1);
    if (nspans != NULL) {
        PyList_SET_ITEM(nspans, 0, Py_NewRef(nspan));
        PyObject *call[6] = {S.n_mismatch, text, name, confidence, nspans, detail};
        *out = PyObject_Vectorcall(S.make_signal, call, 2, S.kwnames);
    }
    result = *out == NULL ? -1 : 0;
    Py_XDECREF(nspans);
    Py_XDECREF(nspan);
    Py_XDECREF(detail);
done:
    if (claims != small) {
        PyMem_Free(claims);
    }
    Py_DECREF(found);
    return result;
}

/* ---- detect ---- */

/* What kind of sender: the Python's own (info, fixed) for an empty one or any shape but plain digits, else the
 * C's judgement of the digits. 0, -1 with an exception set, or FALLBACK. */
static int
judge(PyObject *sender, PyObject *text, sender_info *in)
{
    if (sender != Py_None && !PyUnicode_CheckExact(sender)) {
        return FALLBACK;
    }
    Py_ssize_t len = sender == Py_None ? 0 : PyUnicode_GET_LENGTH(sender), blank = 0, digits = 0;
    while (blank < len && Py_UNICODE_ISSPACE(PyUnicode_READ_CHAR(sender, blank))) {
        blank++;
    }
    if (blank == len) {
        return read_judged(S.empty, in);
    }
    if (PyUnicode_IS_ASCII(sender)) {
        const Py_UCS1 *c = PyUnicode_1BYTE_DATA(sender);
        while (digits < len && c[digits] >= '0' && c[digits] <= '9') {
            digits++;
        }
        if (digits == len && len >= 2 && ((c[0] == '0' && c[1] == '0') || (c[0] == '8' && c[1] == '6'))) {
            digits = 0;
        }
    }
    /* lexicon_env(text) */
    PyObject *message = PyObject_Vectorcall(S.message, &text, 1, NULL);
    PyObject *env = message == NULL ? NULL : PyObject_GetAttr(message, S.s_env);
    Py_XDECREF(message);
    if (env == NULL) {
        return -1;
    }
    int result = 0;
    if (digits == len) {
        /* the usual shape, mostly a new number each time: the port table and the mobile shape decide afresh */
        PyObject *args[4] = {PyTuple_GET_ITEM(S.port_args, 0), PyTuple_GET_ITEM(S.port_args, 1),
                             PyTuple_GET_ITEM(S.port_args, 2), env};
        PyObject *table = PyObject_Vectorcall(S.from_lexicons, args, 4, NULL);
        PyObject *kinds[SP_N_KINDS] = {S.kinds[K_COURT], S.kinds[K_ANTIFRAUD], S.kinds[K_PORT], S.kinds[K_VIRTUAL]};
        result = table == NULL ? -1 : sp_decode(table, S.port_table_type, kinds, S.s_strong);
        Py_XDECREF(table);
        result = result == 0 ? by_prefix(sender, in) : result;
        if (result == 1) {
            in->fixed = kind_signals(in);
            result = in->fixed == NULL ? -1 : 0;
            Py_DECREF(env);
            return result;
        }
    }
    if (result == 0) {
        PyObject *args[2] = {sender, env};
        PyObject *pair = PyObject_Vectorcall(S.judged, args, 2, NULL);
        result = pair == NULL ? -1 : read_judged(pair, in);
        Py_XDECREF(pair);
    }
    Py_DECREF(env);
    return result;
}

static PyObject *
sender_detect(PyObject *module, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    if (S.reference == NULL || nargs != 3 || kwnames != NULL) {
        return dt_call_reference(S.reference, args, nargs, kwnames);
    }
    PyObject *sender = PyObject_GetAttr(args[0], S.s_sender);
    if (sender == NULL) {
        return NULL;
    }
    sender_info in = {NULL};
    PyObject *mismatch = NULL, *result = NULL;
    int ok = judge(sender, args[1], &in);
    Py_DECREF(sender);
    ok = ok == 0 ? brand_mismatch(&in, args[1], args[2], &mismatch) : ok;
    if (ok == FALLBACK && in.kind != NULL) {
        /* the rare claims: the reference judges them from the same SenderInfo */
        if (in.info == NULL) {
            PyObject *values[5] = {in.kind, in.number, in.value, in.brand, in.strong ? Py_True : Py_False};
            in.info = PyObject_Vectorcall(S.sender_info, values, 5, NULL);
        }
        PyObject *call[3] = {in.info, args[1], args[2]};
        mismatch = in.info == NULL ? NULL : PyObject_Vectorcall(S.brand_mismatch, call, 3, NULL);
        ok = mismatch == NULL ? -1 : 0;
        if (mismatch == Py_None) {
            Py_CLEAR(mismatch);
        }
    }
    if (ok == FALLBACK) {
        result = PyObject_Vectorcall(S.reference, args, nargs, NULL);
    }
    else if (ok == 0) {
        result = PyList_CheckExact(in.fixed) ? Py_NewRef(in.fixed) : PySequence_List(in.fixed);
        if (result != NULL && mismatch != NULL && PyList_Append(result, mismatch) < 0) {
            Py_CLEAR(result);
        }
    }
    Py_XDECREF(mismatch);
    clear_info(&in);
    return result;
}

/* ---- binding ---- */

static int
claim_offsets(PyObject *claim)
{
    static const char *const fields[N_CLAIM_FIELDS] = {"brand", "name", "start", "end", "in_signature", "speaks"};
    for (int i = 0; i < N_CLAIM_FIELDS; i++) {
        if (dt_slot_offset(claim, fields[i], &S.claim_offsets[i]) < 0) {
            return -1;
        }
    }
    return 0;
}

static PyObject *
sender_bind(PyObject *module, PyObject *args, PyObject *kwargs)
{
    static char *keywords[] = {"reference", "brand_mismatch", "judged", "message", "from_lexicons",
                               "port_table_args", "port_table", "find_claims", "make_signal", "native_records",
                               "signal", "claim", "sender_info", "plugin", "empty", "kinds", "cannot_mismatch",
                               "personal", NULL};
    static const char *const signal_fields[] = {"name", "value", "confidence", "spans", "detail", "plugin", NULL};
    PyObject *reference, *mismatch, *judged, *env, *from_lexicons, *port_args, *port_table, *find_claims;
    PyObject *make_signal, *signal, *claim, *info, *plugin, *empty, *kinds, *cannot, *personal;
    int native_records;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "$OOOOOO!O!OOpO!O!O!UO!O!O!O!:bind", keywords, &reference,
                                     &mismatch, &judged, &env, &from_lexicons, &PyTuple_Type, &port_args,
                                     &PyType_Type, &port_table, &find_claims, &make_signal, &native_records,
                                     &PyType_Type, &signal, &PyType_Type, &claim, &PyType_Type, &info, &plugin,
                                     &PyTuple_Type, &empty, &PyTuple_Type, &kinds, &PyFrozenSet_Type, &cannot,
                                     &PyFrozenSet_Type, &personal)) {
        return NULL;
    }
    if (PyTuple_GET_SIZE(port_args) != 3 || PyTuple_GET_SIZE(kinds) != N_KINDS
        || !PyType_IsSubtype((PyTypeObject *)info, &PyTuple_Type)) {
        PyErr_SetString(PyExc_TypeError, "bind: port_table_args (key, names, build), kinds of every kind, and "
                                         "SenderInfo a NamedTuple");
        return NULL;
    }
    for (int i = 0; i < N_KINDS; i++) {
        if (!PyUnicode_CheckExact(PyTuple_GET_ITEM(kinds, i))) {
            PyErr_SetString(PyExc_TypeError, "bind: the kinds must be str");
            return NULL;
        }
    }
    sg_record record;
    if (claim_offsets(claim) < 0 || sg_record_init(&record, signal, signal_fields) < 0) {
        return NULL;
    }
    sg_record_clear(&S.signal);
    S.signal = record;
    PyObject **slots[] = {&S.reference, &S.brand_mismatch, &S.judged, &S.message, &S.from_lexicons,
                          &S.port_args, &S.find_claims, &S.make_signal, &S.sender_info, &S.plugin, &S.empty,
                          &S.cannot_mismatch, &S.personal};
    PyObject *values[] = {reference, mismatch, judged, env, from_lexicons, port_args, find_claims, make_signal,
                          info, plugin, empty, cannot, personal};
    for (size_t i = 0; i < sizeof(slots) / sizeof(slots[0]); i++) {
        Py_XSETREF(*slots[i], Py_NewRef(values[i]));
    }
    for (int i = 0; i < N_KINDS; i++) {
        Py_XSETREF(S.kinds[i], Py_NewRef(PyTuple_GET_ITEM(kinds, i)));
        int no = PySet_Contains(cannot, S.kinds[i]), yes = no < 0 ? -1 : PySet_Contains(personal, S.kinds[i]);
        if (yes < 0) {
            return NULL;
        }
        S.cannot[i] = (char)no;
        S.personal_kind[i] = (char)yes;
    }
    Py_XSETREF(S.port_table_type, (PyTypeObject *)Py_NewRef(port_table));
    Py_XSETREF(S.claim_type, (PyTypeObject *)Py_NewRef(claim));
    Py_XSETREF(S.info_type, (PyTypeObject *)Py_NewRef(info));
    sp_clear();  /* decoded again on the next message */
    S.native_records = native_records;
    return PyObject_GetAttrString(module, "detect");
}

static PyMethodDef sender_methods[] = {
    {"detect", (PyCFunction)(void (*)(void))sender_detect, METH_FASTCALL | METH_KEYWORDS,
     "detect(message, text, features): the sender checker's signals (plugins/sender.py detect_reference)"},
    {"bind", (PyCFunction)(void (*)(void))sender_bind, METH_VARARGS | METH_KEYWORDS,
     "bind(*, reference, brand_mismatch, judged, message, from_lexicons, port_table_args, port_table, "
     "find_claims, make_signal, native_records, signal, claim, sender_info, plugin, empty, kinds, cannot_mismatch, "
     "personal): bind the Python objects the C calls, and return detect"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef sender_module = {
    PyModuleDef_HEAD_INIT, "smsguard_plugins._csender",
    "The sender checker's body in C (see plugins/sender.py).", -1, sender_methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC
PyInit__csender(void)
{
    static const char *const names[] = {
        "sender", "env", "court", "gov", "strong", "sender.kind", "sender.personal", "sender.virtual_operator",
        "sender.international", "sender.port", "sender.hotline", "sender.court", "sender.antifraud",
        "sender.brand_mismatch", "claims ", "; ", " sender ", " ", " belongs to ",
    };
    PyObject **slots[] = {&S.s_sender, &S.s_env, &S.s_court, &S.s_gov, &S.s_strong, &S.n_kind, &S.n_personal,
                          &S.n_virtual, &S.n_international, &S.n_port, &S.n_hotline, &S.n_court, &S.n_antifraud,
                          &S.n_mismatch, &S.l_claims, &S.l_semicolon, &S.l_sender, &S.l_space, &S.l_belongs};
    for (size_t i = 0; i < sizeof(slots) / sizeof(slots[0]); i++) {
        if (*slots[i] == NULL && (*slots[i] = PyUnicode_InternFromString(names[i])) == NULL) {
            return NULL;
        }
    }
    if (S.one == NULL) {
        if ((S.one = PyFloat_FromDouble(1.0)) == NULL || (S.c09 = PyFloat_FromDouble(0.9)) == NULL
            || (S.c08 = PyFloat_FromDouble(0.8)) == NULL || (S.c06 = PyFloat_FromDouble(0.6)) == NULL
            || (S.c05 = PyFloat_FromDouble(0.5)) == NULL || (S.empty_tuple = PyTuple_New(0)) == NULL
            || (S.empty_str = PyUnicode_New(0, 0)) == NULL
            || (S.kwnames = PyTuple_New(4)) == NULL) {
            return NULL;
        }
        static const char *const keywords[] = {"value", "confidence", "nspans", "detail"};
        for (Py_ssize_t i = 0; i < 4; i++) {
            PyObject *keyword = PyUnicode_InternFromString(keywords[i]);
            if (keyword == NULL) {
                return NULL;
            }
            PyTuple_SET_ITEM(S.kwnames, i, keyword);
        }
    }
    return PyModule_Create(&sender_module);
}
