/* smsguard._cconditions, building the nodes: the module's functions, each checking its arguments, and bind(). */
#include "conditions.h"

static PyObject *
children(PyObject *items, Py_ssize_t least)
{
    PyObject *tuple = PySequence_Tuple(items);
    if (tuple != NULL && PyTuple_GET_SIZE(tuple) < least) {
        PyErr_Format(PyExc_ValueError, "a condition needs at least %zd items", least);
        Py_CLEAR(tuple);
    }
    for (Py_ssize_t i = 0; tuple != NULL && i < PyTuple_GET_SIZE(tuple); i++) {
        if (!PyCallable_Check(PyTuple_GET_ITEM(tuple, i))) {
            PyErr_SetString(PyExc_TypeError, "a condition's items must be callable");
            Py_CLEAR(tuple);
        }
    }
    return tuple;
}

static PyObject *
combinator(NodeKind kind, PyObject *items, Py_ssize_t least)
{
    PyObject *tuple = children(items, least);
    if (tuple == NULL) {
        return NULL;
    }
    Node *node = sg_node_new(kind, tuple, NULL);
    Py_DECREF(tuple);
    return (PyObject *)node;
}

static PyObject *
cond_any_of(PyObject *module, PyObject *items)
{
    return combinator(K_OR, items, 0);
}

static PyObject *
cond_negation(PyObject *module, PyObject *item)
{
    PyObject *items = PyTuple_Pack(1, item);
    if (items == NULL) {
        return NULL;
    }
    PyObject *node = combinator(K_NOT, items, 1);
    Py_DECREF(items);
    return node;
}

static PyObject *
cond_all_of(PyObject *module, PyObject *args)
{
    PyObject *items, *written, *tuple;
    if (!PyArg_ParseTuple(args, "OO!:all_of", &items, &PyTuple_Type, &written)
        || (tuple = children(items, 1)) == NULL) {
        return NULL;
    }
    Py_ssize_t n = PyTuple_GET_SIZE(tuple);
    Node *node = NULL;
    char *seen = PyMem_Calloc((size_t)n, 1);
    if (seen == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    if (PyTuple_GET_SIZE(written) != n) {
        PyErr_SetString(PyExc_ValueError, "all_of: written must give a place for each item");
        goto done;
    }
    if ((node = sg_node_new(K_AND, tuple, NULL)) == NULL || (node->written = PyMem_New(Py_ssize_t, n)) == NULL) {
        Py_CLEAR(node);
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t k = 0; k < n; k++) {
        Py_ssize_t at = PyLong_AsSsize_t(PyTuple_GET_ITEM(written, k));
        if (at < 0 || at >= n || seen[at]) {
            if (!PyErr_Occurred()) {
                PyErr_SetString(PyExc_ValueError, "all_of: written must be an order of the items");
            }
            Py_CLEAR(node);
            goto done;
        }
        seen[at] = 1;
        node->written[k] = at;
    }
done:
    PyMem_Free(seen);
    Py_DECREF(tuple);
    return (PyObject *)node;
}

static PyObject *
cond_n_of(PyObject *module, PyObject *args)
{
    PyObject *count, *items;
    if (!PyArg_ParseTuple(args, "O!O:n_of", &PyLong_Type, &count, &items)) {
        return NULL;
    }
    int overflow;
    long long value = PyLong_AsLongLongAndOverflow(count, &overflow);
    if (value == -1 && PyErr_Occurred()) {
        return NULL;
    }
    /* beyond the limit every comparison with held + total - index comes out as it would for the real count */
    if (overflow > 0 || value > COUNT_LIMIT) {
        value = COUNT_LIMIT;
    }
    else if (overflow < 0 || value < -COUNT_LIMIT) {
        value = -COUNT_LIMIT;
    }
    Node *node = (Node *)combinator(K_N_OF, items, 1);
    if (node != NULL) {
        node->number = (Py_ssize_t)value;
    }
    return (PyObject *)node;
}

static int
terms_init(Terms *terms, PyObject *ids, int probe)
{
    if (!PyFrozenSet_CheckExact(ids)) {
        PyErr_SetString(PyExc_TypeError, "literal ids must be a frozenset of int");
        return -1;
    }
    PyObject *list = PySequence_List(ids);
    if (list == NULL) {
        return -1;
    }
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(list); i++) {
        if (!PyLong_CheckExact(PyList_GET_ITEM(list, i))) {
            PyErr_SetString(PyExc_TypeError, "literal ids must be a frozenset of int");
            Py_DECREF(list);
            return -1;
        }
    }
    if (PyList_Sort(list) < 0 || (terms->ids = PyList_AsTuple(list)) == NULL) {
        Py_DECREF(list);
        return -1;
    }
    Py_DECREF(list);
    terms->set = Py_NewRef(ids);
    terms->probe = probe;
    Py_ssize_t n = PyTuple_GET_SIZE(terms->ids);
    int bitmap = n > 0;
    if ((terms->values = PyMem_New(Py_ssize_t, n + 1)) == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_ssize_t id = PyLong_AsSsize_t(PyTuple_GET_ITEM(terms->ids, i));
        if (id < 0) {  /* negative, or beyond Py_ssize_t */
            PyErr_Clear();
            id = -1;
        }
        terms->values[i] = id;
        bitmap = bitmap && id >= 0 && id < SG_MAX_LITERAL;
    }
    if (bitmap) {  /* the ids ascend: the last is the largest */
        terms->nwords = terms->values[n - 1] / 64 + 1;
        if ((terms->bits = PyMem_Calloc((size_t)terms->nwords, sizeof(uint64_t))) == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        for (Py_ssize_t i = 0; i < n; i++) {
            terms->bits[terms->values[i] >> 6] |= (uint64_t)1 << (terms->values[i] & 63);
        }
    }
    return 0;
}

static PyObject *
leaf(NodeKind kind, PyObject *ids, int probe, PyObject *ref)
{
    if (!PyCallable_Check(ref)) {
        PyErr_SetString(PyExc_TypeError, "the reference closure must be callable");
        return NULL;
    }
    Node *node = sg_node_new(kind, NULL, ref);
    if (node != NULL && ids != NULL && terms_init(&node->terms, ids, probe) < 0) {
        Py_CLEAR(node);
    }
    return (PyObject *)node;
}

#define TERMS_LEAF(fname, kind, probe, size_check)                                                      \
    static PyObject *fname(PyObject *module, PyObject *args)                                           \
    {                                                                                                  \
        PyObject *ids, *ref;                                                                           \
        if (!PyArg_ParseTuple(args, "O!O:" #fname, &PyFrozenSet_Type, &ids, &ref)) {                   \
            return NULL;                                                                               \
        }                                                                                              \
        if (!(size_check)) {                                                                           \
            PyErr_SetString(PyExc_ValueError, #fname ": wrong number of literal ids");                 \
            return NULL;                                                                               \
        }                                                                                              \
        return leaf(kind, ids, probe, ref);                                                            \
    }

TERMS_LEAF(any_literal, K_LITERAL, 1, PySet_GET_SIZE(ids) == 1)
TERMS_LEAF(any_probed, K_PROBED, 1, 1)
TERMS_LEAF(any_intersected, K_INTERSECTED, 0, 1)
TERMS_LEAF(none_of, K_NONE_OF, 1, 1)
TERMS_LEAF(signature_guard, K_SIGNATURE_GUARD, 1, 1)

static PyObject *
cond_near(PyObject *module, PyObject *args)
{
    PyObject *left, *right, *ref;
    int left_probe, right_probe;
    Py_ssize_t within;
    if (!PyArg_ParseTuple(args, "O!pO!pnO:near", &PyFrozenSet_Type, &left, &left_probe, &PyFrozenSet_Type, &right,
                          &right_probe, &within, &ref)) {
        return NULL;
    }
    if (within < 0 || within > COUNT_LIMIT) {
        PyErr_SetString(PyExc_ValueError, "near: within out of range");
        return NULL;
    }
    Node *node = (Node *)leaf(K_NEAR, left, left_probe, ref);
    if (node != NULL && terms_init(&node->other, right, right_probe) < 0) {
        Py_CLEAR(node);
    }
    if (node != NULL) {
        node->number = within;
    }
    return (PyObject *)node;
}

static PyObject *
cond_signals(PyObject *module, PyObject *args)
{
    PyObject *names, *ref;
    if (!PyArg_ParseTuple(args, "O!O:signals", &PyTuple_Type, &names, &ref)) {
        return NULL;
    }
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(names); i++) {
        if (!PyUnicode_CheckExact(PyTuple_GET_ITEM(names, i))) {
            PyErr_SetString(PyExc_TypeError, "signals: the names must be str");
            return NULL;
        }
    }
    Node *node = (Node *)leaf(K_SIGNALS, NULL, 0, ref);
    if (node != NULL) {
        node->items = Py_NewRef(names);
    }
    return (PyObject *)node;
}

static int
operator_code(const char *op)
{
    static const char *const ops[] = {"<", "<=", "==", "!=", ">", ">="};  /* Py_LT ... Py_GE */
    for (int i = 0; i < 6; i++) {
        if (strcmp(op, ops[i]) == 0) {
            return i;
        }
    }
    PyErr_SetString(PyExc_ValueError, "unknown comparison operator");
    return -1;
}

static PyObject *
cond_signal_compare(PyObject *module, PyObject *args)
{
    PyObject *name, *constant, *ref;
    const char *op;
    int signal_left;
    if (!PyArg_ParseTuple(args, "UsOpO:signal_compare", &name, &op, &constant, &signal_left, &ref)) {
        return NULL;
    }
    int code = operator_code(op);
    if (code < 0) {
        return NULL;
    }
    if (!PyUnicode_CheckExact(name)) {
        PyErr_SetString(PyExc_TypeError, "signal_compare: the name must be a str");
        return NULL;
    }
    Node *node = (Node *)leaf(K_SIGNAL_COMPARE, NULL, 0, ref);
    if (node != NULL && (node->items = PyTuple_Pack(1, name)) == NULL) {
        Py_CLEAR(node);
    }
    if (node != NULL) {
        node->op = code;
        node->flag = signal_left;
        node->constant = Py_NewRef(constant);
    }
    return (PyObject *)node;
}

static PyObject *
cond_count_compare(PyObject *module, PyObject *args)
{
    PyObject *ids, *constant, *ref;
    const char *op;
    int probe, count_left;
    if (!PyArg_ParseTuple(args, "O!psOpO:count_compare", &PyFrozenSet_Type, &ids, &probe, &op, &constant,
                          &count_left, &ref)) {
        return NULL;
    }
    int code = operator_code(op);
    if (code < 0) {
        return NULL;
    }
    double real;
    if (PyFloat_CheckExact(constant)) {
        real = PyFloat_AS_DOUBLE(constant);
    }
    else if (PyLong_CheckExact(constant)) {
        /* a count is far below 2**53: rounding a larger int, or making it infinite, orders it the same way */
        real = PyLong_AsDouble(constant);
        if (real == -1.0 && PyErr_Occurred()) {
            if (!PyErr_ExceptionMatches(PyExc_OverflowError)) {
                return NULL;
            }
            PyErr_Clear();
            real = _PyLong_Sign(constant) > 0 ? Py_HUGE_VAL : -Py_HUGE_VAL;
        }
    }
    else {
        PyErr_SetString(PyExc_TypeError, "count_compare: the constant must be an int or a float");
        return NULL;
    }
    Node *node = (Node *)leaf(K_COUNT_COMPARE, ids, probe, ref);
    if (node != NULL) {
        node->op = code;
        node->flag = count_left;
        node->real = real;
    }
    return (PyObject *)node;
}

static PyObject *
cond_rule_result(PyObject *module, PyObject *args)
{
    Py_ssize_t index;
    PyObject *ref;
    if (!PyArg_ParseTuple(args, "nO:rule_result", &index, &ref)) {
        return NULL;
    }
    if (index < 0) {
        PyErr_SetString(PyExc_ValueError, "rule_result: a negative index");
        return NULL;
    }
    Node *node = (Node *)leaf(K_RULE, NULL, 0, ref);
    if (node != NULL) {
        node->number = index;
    }
    return (PyObject *)node;
}

static PyObject *
cond_sender(PyObject *module, PyObject *args)
{
    PyObject *literals, *ref;
    int has_regexes;
    if (!PyArg_ParseTuple(args, "O!pO:sender", &PyFrozenSet_Type, &literals, &has_regexes, &ref)) {
        return NULL;
    }
    Node *node = (Node *)leaf(K_SENDER, NULL, 0, ref);
    if (node != NULL) {
        node->constant = Py_NewRef(literals);
        node->flag = has_regexes;
    }
    return (PyObject *)node;
}

static PyObject *
cond_bind(PyObject *module, PyObject *args)
{
    PyObject *context, *signal;
    if (!PyArg_ParseTuple(args, "O!O!:bind", &PyType_Type, &context, &PyType_Type, &signal)) {
        return NULL;
    }
    Layout layout;
    memset(&layout, 0, sizeof(layout));
    struct {
        Py_ssize_t *at;
        PyObject *cls;
        const char *name;
    } slots[] = {{&layout.found, context, "found"},           {&layout.identity, context, "identity"},
                 {&layout.found_bits, context, "found_bits"}, {&layout.signals, context, "signals"},
                 {&layout.rule_results, context, "rule_results"},
                 {&layout.sender, context, "sender"},         {&layout.ntext, context, "ntext"},
                 {&layout.value, signal, "value"},            {&layout.spans, signal, "spans"}};
    for (size_t i = 0; i < sizeof(slots) / sizeof(slots[0]); i++) {
        if ((*slots[i].at = sg_slot_offset_of(slots[i].cls, slots[i].name)) < 0) {
            return NULL;
        }
    }
    layout.context = (PyTypeObject *)Py_NewRef(context);
    layout.signal = (PyTypeObject *)Py_NewRef(signal);
    Py_XDECREF(sg_layout.context);
    Py_XDECREF(sg_layout.signal);
    sg_layout = layout;
    Py_RETURN_NONE;
}

/* Replace the ids of ``terms`` by the equal int objects of ``table`` (a dict int -> int). */
static int
share_terms(Terms *terms, PyObject *table)
{
    if (terms->ids == NULL) {
        return 0;
    }
    Py_ssize_t n = PyTuple_GET_SIZE(terms->ids);
    PyObject *ids = PyTuple_New(n);
    if (ids == NULL) {
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *id = PyTuple_GET_ITEM(terms->ids, i), *same = PyDict_GetItemWithError(table, id);
        if (same == NULL && PyErr_Occurred()) {
            Py_DECREF(ids);
            return -1;
        }
        /* only an exact int equal to the id stands for it: its hash and every comparison are the same */
        if (same == NULL || !PyLong_CheckExact(same) || PyObject_RichCompareBool(same, id, Py_EQ) != 1) {
            PyErr_Clear();
            same = id;
        }
        PyTuple_SET_ITEM(ids, i, Py_NewRef(same));
    }
    Py_SETREF(terms->ids, ids);
    return 0;
}

static int
share_node(PyObject *item, PyObject *table)
{
    if (!Py_IS_TYPE(item, &sg_NodeType)) {
        return 0;
    }
    Node *node = (Node *)item;
    if (node->kind <= K_N_OF) {
        if (node->items == NULL) {  /* cleared by the collector */
            return 0;
        }
        if (Py_EnterRecursiveCall(" while sharing literal ids")) {
            return -1;
        }
        int rc = 0;
        for (Py_ssize_t i = 0; rc == 0 && i < PyTuple_GET_SIZE(node->items); i++) {
            rc = share_node(PyTuple_GET_ITEM(node->items, i), table);
        }
        Py_LeaveRecursiveCall();
        return rc;
    }
    return share_terms(&node->terms, table) < 0 || share_terms(&node->other, table) < 0 ? -1 : 0;
}

/* share_ids(conditions, table): the literal pass's table (MatchContext.found) holds its own int objects for the
 * literal ids; looking them up with those very objects spares the dictionary a comparison per look-up. */
static PyObject *
cond_share_ids(PyObject *module, PyObject *args)
{
    PyObject *conditions, *table;
    if (!PyArg_ParseTuple(args, "O!O!:share_ids", &PyTuple_Type, &conditions, &PyDict_Type, &table)) {
        return NULL;
    }
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(conditions); i++) {
        if (share_node(PyTuple_GET_ITEM(conditions, i), table) < 0) {
            return NULL;
        }
    }
    Py_RETURN_NONE;
}

PyMethodDef sg_condition_methods[] = {
    {"bind", cond_bind, METH_VARARGS, "bind(MatchContext, Signal): the classes whose slots the leaves read"},
    {"share_ids", cond_share_ids, METH_VARARGS,
     "share_ids(conditions, table): the nodes look literal ids up with the int objects table maps them to"},
    {"any_of", cond_any_of, METH_O, "any_of(items) -> the first item that holds"},
    {"all_of", cond_all_of, METH_VARARGS, "all_of(evaluated, written) -> every item holds"},
    {"negation", cond_negation, METH_O, "negation(item) -> () when the item does not hold"},
    {"n_of", cond_n_of, METH_VARARGS, "n_of(count, items) -> at least count items hold"},
    {"any_literal", any_literal, METH_VARARGS, "any_literal(ids, ref): builtins._any_literal"},
    {"any_probed", any_probed, METH_VARARGS, "any_probed(ids, ref): builtins._any_probed"},
    {"any_intersected", any_intersected, METH_VARARGS, "any_intersected(ids, ref): builtins._any_intersected"},
    {"none_of", none_of, METH_VARARGS, "none_of(ids, ref): builtins.compile_none_of"},
    {"signature_guard", signature_guard, METH_VARARGS, "signature_guard(ids, ref): None when no id was found"},
    {"near", cond_near, METH_VARARGS, "near(left, left_probe, right, right_probe, within, ref)"},
    {"signals", cond_signals, METH_VARARGS, "signals(names, ref): values.compile_signals_condition"},
    {"signal_compare", cond_signal_compare, METH_VARARGS,
     "signal_compare(name, op, constant, signal_left, ref): values.compile_signal_compare"},
    {"rule_result", cond_rule_result, METH_VARARGS, "rule_result(index, ref): another rule's result"},
    {"sender", cond_sender, METH_VARARGS, "sender(literals, has_regexes, ref): builtins.compile_sender"},
    {"count_compare", cond_count_compare, METH_VARARGS,
     "count_compare(ids, probe, op, constant, count_left, ref): count() of literals compared with a constant"},
    {NULL, NULL, 0, NULL},
};

