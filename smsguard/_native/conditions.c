/* smsguard._cconditions: compiled rule conditions as C nodes (see smsguard/lang/combinators.py).
 *
 * A node is called like the closure it replaces, with a MatchContext, and returns the same BoolResult: None, or a
 * tuple of (start, end) spans. The combinators (or, and, not, N of) evaluate the same children in the same order
 * and stop where their closures stop; a child that is a node is evaluated here directly, any other child is called.
 * The leaves are in conditions_leaves.c (their literal scans in conditions_literals.c), the constructors the
 * compiler calls in conditions_build.c.
 */
#include "conditions.h"

#include <stddef.h>

PyObject *sg_str_value, *sg_str_spans, *sg_str_original, *sg_str_starts, *sg_str_ends;

static inline PyObject *
child(PyObject *item, PyObject *ctx)
{
    return Py_IS_TYPE(item, &sg_NodeType) ? sg_node_eval((Node *)item, ctx) : PyObject_CallOneArg(item, ctx);
}

/* ``results[w0] + results[w1] + ...`` of the children's results in written order (``+`` for two to four items,
 * ``spans += result`` over the truthy ones then ``tuple(spans)`` for one or more than four): a new tuple when every
 * result is an exact tuple, else through the number protocol, exactly as the closure adds them. */
static PyObject *
join(PyObject *const *results, const Py_ssize_t *written, Py_ssize_t n)
{
    Py_ssize_t total = 0, nonempty = 0, last = 0;
    for (Py_ssize_t k = 0; k < n; k++) {
        PyObject *r = results[written[k]];
        if (!PyTuple_CheckExact(r)) {
            total = -1;
            break;
        }
        if (PyTuple_GET_SIZE(r)) {
            total += PyTuple_GET_SIZE(r);
            nonempty++;
            last = k;
        }
    }
    if (total >= 0) {
        if (nonempty <= 1) {
            return Py_NewRef(results[written[last]]);
        }
        PyObject *out = PyTuple_New(total);
        if (out == NULL) {
            return NULL;
        }
        Py_ssize_t at = 0;
        for (Py_ssize_t k = 0; k < n; k++) {
            PyObject *r = results[written[k]];
            for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(r); i++) {
                PyTuple_SET_ITEM(out, at++, Py_NewRef(PyTuple_GET_ITEM(r, i)));
            }
        }
        return out;
    }
    if (n >= 2 && n <= 4) {
        PyObject *acc = Py_NewRef(results[written[0]]);
        for (Py_ssize_t k = 1; k < n && acc != NULL; k++) {
            PyObject *next = PyNumber_Add(acc, results[written[k]]);
            Py_SETREF(acc, next);
        }
        return acc;
    }
    PyObject *spans = PyList_New(0), *out = NULL;
    if (spans == NULL) {
        return NULL;
    }
    for (Py_ssize_t k = 0; k < n; k++) {
        PyObject *r = results[written[k]];
        int truth = PyObject_IsTrue(r);
        if (truth < 0) {
            goto done;
        }
        if (truth) {
            PyObject *same = PyNumber_InPlaceAdd(spans, r);
            if (same == NULL) {
                goto done;
            }
            Py_DECREF(same);
        }
    }
    out = PyList_AsTuple(spans);
done:
    Py_DECREF(spans);
    return out;
}

#define STACK_RESULTS 8

static PyObject *
all_of(Node *node, PyObject *ctx)
{
    Py_ssize_t n = PyTuple_GET_SIZE(node->items), held = 0;
    PyObject *stack[STACK_RESULTS], **results = n <= STACK_RESULTS ? stack : PyMem_New(PyObject *, n);
    PyObject *out = NULL;
    if (results == NULL) {
        return PyErr_NoMemory();
    }
    for (; held < n; held++) {
        PyObject *r = child(PyTuple_GET_ITEM(node->items, held), ctx);
        if (r == NULL || r == Py_None) {
            out = r;
            goto done;
        }
        results[held] = r;
    }
    out = join(results, node->written, n);
done:
    for (Py_ssize_t i = 0; i < held; i++) {
        Py_DECREF(results[i]);
    }
    if (results != stack) {
        PyMem_Free(results);
    }
    return out;
}

static PyObject *
n_of(Node *node, PyObject *ctx)
{
    Py_ssize_t total = PyTuple_GET_SIZE(node->items), count = node->number, held = 0;
    PyObject *spans = PyList_New(0), *out = NULL;
    if (spans == NULL) {
        return NULL;
    }
    for (Py_ssize_t index = 0; index < total; index++) {
        if (held + total - index < count) {
            out = Py_NewRef(Py_None);
            goto done;
        }
        PyObject *r = child(PyTuple_GET_ITEM(node->items, index), ctx);
        if (r == NULL) {
            goto done;
        }
        if (r != Py_None) {
            held++;
            PyObject *same = PyNumber_InPlaceAdd(spans, r);  /* list.extend(r) */
            Py_DECREF(r);
            if (same == NULL) {
                goto done;
            }
            Py_DECREF(same);
            if (held >= count) {
                out = PyList_AsTuple(spans);
                goto done;
            }
        }
        else {
            Py_DECREF(r);
        }
    }
    out = held >= count ? PyList_AsTuple(spans) : Py_NewRef(Py_None);
done:
    Py_DECREF(spans);
    return out;
}

PyObject *
sg_node_eval(Node *node, PyObject *ctx)
{
    PyObject *out = NULL;
    if (node->kind > K_N_OF) {
        return sg_leaf_eval(node, ctx);
    }
    if (Py_EnterRecursiveCall(" while evaluating a rule condition")) {
        return NULL;
    }
    switch (node->kind) {
    case K_OR:
        out = Py_NewRef(Py_None);
        for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(node->items) && out == Py_None; i++) {
            Py_DECREF(out);
            out = child(PyTuple_GET_ITEM(node->items, i), ctx);
        }
        break;
    case K_AND:
        out = all_of(node, ctx);
        break;
    case K_NOT:
        out = child(PyTuple_GET_ITEM(node->items, 0), ctx);
        if (out != NULL) {
            PyObject *r = out == Py_None ? PyTuple_New(0) : Py_NewRef(Py_None);
            Py_SETREF(out, r);
        }
        break;
    default:
        out = n_of(node, ctx);
        break;
    }
    Py_LeaveRecursiveCall();
    return out;
}

/* ---- the node type */

static PyObject *
node_vectorcall(PyObject *callable, PyObject *const *args, size_t nargsf, PyObject *kwnames)
{
    if (PyVectorcall_NARGS(nargsf) != 1 || (kwnames != NULL && PyTuple_GET_SIZE(kwnames) != 0)) {
        PyErr_SetString(PyExc_TypeError, "a condition takes one positional argument, the MatchContext");
        return NULL;
    }
    return sg_node_eval((Node *)callable, args[0]);
}

static int
node_traverse(Node *self, visitproc visit, void *arg)
{
    Py_VISIT(self->items);
    Py_VISIT(self->constant);
    Py_VISIT(self->ref);
    Py_VISIT(self->terms.set);
    Py_VISIT(self->other.set);
    return 0;
}

static int
node_clear(Node *self)
{
    Py_CLEAR(self->items);
    Py_CLEAR(self->constant);
    Py_CLEAR(self->ref);
    Py_CLEAR(self->terms.ids);
    Py_CLEAR(self->terms.set);
    Py_CLEAR(self->other.ids);
    Py_CLEAR(self->other.set);
    return 0;
}

static void
node_dealloc(Node *self)
{
    PyObject_GC_UnTrack(self);
    Py_TRASHCAN_BEGIN(self, node_dealloc)
    node_clear(self);
    PyMem_Free(self->written);
    PyMem_Free(self->terms.values);
    PyMem_Free(self->terms.bits);
    PyMem_Free(self->other.values);
    PyMem_Free(self->other.bits);
    PyObject_GC_Del(self);
    Py_TRASHCAN_END
}

static const char *const kind_names[] = {
    "or", "and", "not", "n_of", "any_literal", "any_probed", "any_intersected", "none_of", "signature_guard",
    "near", "signals", "signal_compare", "rule_result", "sender",
    "count_compare"};

static PyObject *
node_repr(Node *self)
{
    return PyUnicode_FromFormat("<condition %s>", kind_names[self->kind]);
}

static PyObject *
node_get_kind(Node *self, void *closure)
{
    return PyUnicode_FromString(kind_names[self->kind]);
}

static PyGetSetDef node_getset[] = {
    {"kind", (getter)node_get_kind, NULL, "what the node computes", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

PyTypeObject sg_NodeType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "smsguard._cconditions.Node",
    .tp_basicsize = sizeof(Node),
    .tp_dealloc = (destructor)node_dealloc,
    .tp_vectorcall_offset = offsetof(Node, vectorcall),
    .tp_call = PyVectorcall_Call,
    .tp_repr = (reprfunc)node_repr,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_HAVE_VECTORCALL,
    .tp_doc = "A compiled rule condition: call it with a MatchContext.",
    .tp_traverse = (traverseproc)node_traverse,
    .tp_clear = (inquiry)node_clear,
    .tp_getset = node_getset,
};

Node *
sg_node_new(NodeKind kind, PyObject *items, PyObject *ref)
{
    Node *node = PyObject_GC_New(Node, &sg_NodeType);
    if (node == NULL) {
        return NULL;
    }
    memset((char *)node + sizeof(PyObject), 0, sizeof(Node) - sizeof(PyObject));
    node->vectorcall = node_vectorcall;
    node->kind = kind;
    node->items = Py_XNewRef(items);
    node->ref = Py_XNewRef(ref);
    PyObject_GC_Track(node);
    return node;
}

static struct PyModuleDef conditions_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "smsguard._cconditions",
    .m_doc = "Compiled rule conditions as C nodes, each computing what its Python closure computes.",
    .m_size = -1,
    .m_methods = sg_condition_methods,
};

PyMODINIT_FUNC
PyInit__cconditions(void)
{
    struct {
        PyObject **var;
        const char *text;
    } names[] = {{&sg_str_value, "value"}, {&sg_str_spans, "spans"}, {&sg_str_original, "original"},
                 {&sg_str_starts, "starts"}, {&sg_str_ends, "ends"}};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (*names[i].var == NULL && (*names[i].var = PyUnicode_InternFromString(names[i].text)) == NULL) {
            return NULL;
        }
    }
    if (PyType_Ready(&sg_NodeType) < 0) {
        return NULL;
    }
    PyObject *module = PyModule_Create(&conditions_module);
    if (module == NULL) {
        return NULL;
    }
    if (PyModule_AddObjectRef(module, "Node", (PyObject *)&sg_NodeType) < 0) {
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
