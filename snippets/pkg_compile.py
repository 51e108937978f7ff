"""Graph capture today: torch.compile records the Python code as a graph before running it."""

import torch


def show_graph(graph_module, example_inputs):
    """A torch.compile backend that prints each captured graph and then runs it as it is."""
    ops = [getattr(n.target, "__name__", n.target) for n in graph_module.graph.nodes if n.op.startswith("call_")]
    print("  captured graph:", " -> ".join(ops))
    return graph_module.forward


def f(x):
    return torch.relu(x @ x).sum() * 2


print("f: one graph for the whole function")
compiled = torch.compile(f, backend=show_graph)
x = torch.randn(3, 3)
print("same result as eager:", torch.allclose(compiled(x), f(x)))


def g(x):
    if x.sum() > 0:          # depends on the data: the graph cannot contain both branches
        return x * 2
    return -x


print("g: the `if` on a value breaks the graph in two; each branch is captured when first taken")
compiled_g = torch.compile(g, backend=show_graph)
print("g(ones) =", compiled_g(torch.ones(2)).tolist())
print("g(-ones) =", compiled_g(-torch.ones(2)).tolist())
