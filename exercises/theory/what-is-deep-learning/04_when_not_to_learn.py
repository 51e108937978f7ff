"""When is learning from examples the wrong tool?

difficulty: hard
kind: open

The page contrasts writing rules with learning them from examples. Think of two tasks where you
would *not* train a model, and one where a hand-written rule and a learned model could work
together. What property of a task decides it?

Answer:
Learning pays when the rule is hard to write down but examples are easy to collect, and when an
occasional mistake is acceptable. It is the wrong tool when the rule is known and exact (sorting,
tax arithmetic, checking a password), when there are too few examples, or when every answer must
be explainable and guaranteed, since a learned model is only right *on average* over data like
its training data. The two combine well: rules check a model's output (a dose may never exceed a
limit), or a model handles the cases the rules cannot (a spam filter with a hand-kept block
list). Further reading: Karpathy's
[Software 2.0](https://karpathy.medium.com/software-2-0-a64152b37c35) discusses what is gained
and what is lost when learned weights replace written code.
"""
