/* smsguard._cconditions: what its files share: conditions.c (the node type, the combinators, the module),
 * conditions_build.c (the constructors), conditions_leaves.c (the leaves) and conditions_literals.c (their literal
 * scans). */
#ifndef SMSGUARD_NATIVE_CONDITIONS_H
#define SMSGUARD_NATIVE_CONDITIONS_H

#include "common.h"

#include <string.h>

typedef enum {
    /* combinators (conditions.c) */
    K_OR,
    K_AND,
    K_NOT,
    K_N_OF,
    /* leaves (conditions_leaves.c); each holds its Python closure, which it calls for input it does not take */
    K_LITERAL,          /* any() of one literal */
    K_PROBED,           /* any() of up to PROBE_LIMIT literals, probed in id order */
    K_INTERSECTED,      /* any() of more literals */
    K_NONE_OF,          /* not any() of literals */
    K_SIGNATURE_GUARD,  /* signature(): None when no literal was found, else the closure */
    K_NEAR,             /* near() of literals */
    K_SIGNALS,          /* signal("a") or signal("b") ... as a condition */
    K_SIGNAL_COMPARE,   /* signal("x") OP constant */
    K_RULE,             /* a reference to another rule's result */
    K_SENDER,           /* sender() */
    K_COUNT_COMPARE,    /* count() of literals OP a number constant */
} NodeKind;

/* Literal ids of a term set: ``ids`` in ascending order, as C values, and as a bitmap. */
typedef struct {
    PyObject *ids;          /* tuple of int */
    PyObject *set;          /* the frozenset given */
    Py_ssize_t *values;     /* the ids as C values; -1 for one beyond Py_ssize_t or negative */
    uint64_t *bits;         /* bit i % 64 of word i / 64 for each id i; NULL when an id is negative or too large */
    Py_ssize_t nwords;
    int probe;              /* the closure probes ``ids`` in order; otherwise it intersects the set with the table */
} Terms;

/* The k-th word of a literal-id bitmap (the layout is at SG_MAX_LITERAL in common.h). */
static inline uint64_t
sg_word(const uint64_t *words, Py_ssize_t k)
{
    uint64_t word;
    memcpy(&word, words + k, sizeof(word));  /* the words of a bytes object need not be aligned */
    return word;
}

static inline int
sg_has_bit(const uint64_t *words, Py_ssize_t nwords, Py_ssize_t id)
{
    return id >= 0 && (id >> 6) < nwords && ((sg_word(words, id >> 6) >> (id & 63)) & 1);
}

typedef struct {
    PyObject_HEAD
    vectorcallfunc vectorcall;
    NodeKind kind;
    PyObject *items;        /* the children (combinators, in evaluation order) or the signal names: a tuple */
    Py_ssize_t *written;    /* K_AND: the evaluation position of each item in written order */
    Py_ssize_t number;      /* K_N_OF: the count; K_NEAR: within; K_RULE: the index */
    int op;                 /* K_SIGNAL_COMPARE, K_COUNT_COMPARE: Py_LT ... Py_GE */
    int flag;               /* K_SIGNAL_COMPARE (K_COUNT_COMPARE): the signal (count) is on the left;
                             * K_SENDER: there are regexes */
    double real;            /* K_COUNT_COMPARE: the constant, as the float it compares as */
    Terms terms, other;     /* the leaves' literals; ``other``: the right side of near() */
    PyObject *constant;     /* K_SIGNAL_COMPARE; K_SENDER: the frozenset of sender literals */
    PyObject *ref;          /* the leaf's Python closure */
} Node;

/* What the leaves read of the exact MatchContext and Signal classes: the byte offsets of their slots. */
typedef struct {
    PyTypeObject *context, *signal;     /* strong references; NULL until bind() */
    Py_ssize_t found, found_bits, identity, signals, rule_results, sender, ntext;
    Py_ssize_t value, spans;
} Layout;

extern Layout sg_layout;
extern PyTypeObject sg_NodeType;
extern PyObject *sg_str_value, *sg_str_spans, *sg_str_original, *sg_str_starts, *sg_str_ends;

/* A slot of an exact MatchContext or Signal (borrowed; NULL when unset). */
static inline PyObject *
sg_slot(PyObject *obj, Py_ssize_t offset)
{
    return *(PyObject **)((char *)obj + offset);
}

#define COUNT_LIMIT (PY_SSIZE_T_MAX / 4)  /* counts and distances beyond it compare as they would at it */

#define STACK_ITEMS 32

static inline PyObject *
sg_call_ref(Node *node, PyObject *ctx)
{
    return PyObject_CallOneArg(node->ref, ctx);
}

/* conditions_literals.c */
PyObject *sg_any_literals(Node *node, PyObject *ctx, PyObject *found);
int sg_disjoint(const Terms *terms, PyObject *ctx, PyObject *found);  /* 1, 0, -1, or SG_SCAN_BAIL */
PyObject *sg_near(Node *node, PyObject *ctx, PyObject *found);
PyObject *sg_count_compare(Node *node, PyObject *ctx, PyObject *found);
#define SG_SCAN_BAIL (-2)

PyObject *sg_node_eval(Node *node, PyObject *ctx);
Node *sg_node_new(NodeKind kind, PyObject *items, PyObject *ref);  /* tracked by the collector */
extern PyMethodDef sg_condition_methods[];
PyObject *sg_leaf_eval(Node *node, PyObject *ctx);

#endif
