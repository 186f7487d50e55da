#!/usr/bin/python3
"""Reference values for the graph tests (issue 7), computed once with networkx (and igraph where
noted) and committed as JSON under test/fixtures/graph/, so the tests themselves need no Python.

Run from the project root with Debian's python3-networkx / python3-igraph:
    /usr/bin/python3 scripts/graph-fixtures.py

Every value uses networkx's defaults: betweenness_centrality(G) (normalised), closeness_centrality(G)
(Wasserman-Faust), degree_centrality(G), eigenvector_centrality(G) (unweighted, tol 1e-6;
max_iter raised to 1000), modularity(G, communities) with weight='weight'.
"""
import json
import os
import random
import sys

import networkx as nx
from networkx.algorithms import community as nxc

OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'graph')


def gnm_edges(n, m, seed):
    g = nx.gnm_random_graph(n, m, seed=seed)
    return sorted(g.edges())


def bridges_graph():
    """Two 5-cliques joined by a 3-node path, a pendant chain and a separate triangle."""
    edges = []
    a = list(range(0, 5))
    b = list(range(5, 10))
    for grp in (a, b):
        edges += [(u, v) for i, u in enumerate(grp) for v in grp[i + 1:]]
    edges += [(4, 10), (10, 11), (11, 5)]  # path between the cliques: all bridges
    edges += [(0, 12), (12, 13)]  # pendant chain
    edges += [(14, 15), (15, 16), (16, 14)]  # separate triangle
    return 17, edges


def weighted_graph():
    """A small weighted graph (two dense groups, weak ties between) for weighted modularity."""
    rnd = random.Random(5)
    edges = []
    for grp in (range(0, 8), range(8, 16), range(16, 24)):
        grp = list(grp)
        for i, u in enumerate(grp):
            for v in grp[i + 1:]:
                if rnd.random() < 0.6:
                    edges.append((u, v, rnd.choice([1, 2, 3, 5])))
    edges += [(3, 11, 1), (12, 19, 1), (7, 20, 2), (0, 16, 1)]
    return 24, edges


def describe(name, n, edges, weighted=False):
    g = nx.Graph()
    g.add_nodes_from(range(n))
    if weighted:
        g.add_weighted_edges_from(edges)
    else:
        g.add_edges_from(edges)
    # max_iter raised from 100: the disconnected fixtures need more power iterations to converge.
    ev = nx.eigenvector_centrality(g, max_iter=1000, tol=1e-6)
    partitions = {}
    partitions['louvain_seed1'] = [sorted(c) for c in nxc.louvain_communities(g, weight='weight', seed=1)]
    partitions['greedy'] = [sorted(c) for c in nxc.greedy_modularity_communities(g, weight='weight')]
    partitions['label_propagation'] = [sorted(c) for c in nxc.asyn_lpa_communities(g, weight='weight', seed=1)]
    partitions['components'] = [sorted(c) for c in nx.connected_components(g)]
    out = {
        'name': name,
        'generator': f'networkx {nx.__version__}',
        'n': n,
        'edges': [list(e) for e in edges],
        'weighted': weighted,
        'degree': [nx.degree_centrality(g)[v] for v in range(n)],
        'betweenness': [nx.betweenness_centrality(g)[v] for v in range(n)],
        'closeness': [nx.closeness_centrality(g)[v] for v in range(n)],
        'eigenvector': [ev[v] for v in range(n)],
        'eigenvector_max_iter': 1000,
        'articulation_points': sorted(nx.articulation_points(g)),
        'bridges': sorted([sorted(e) for e in nx.bridges(g)]),
        'partitions': {
            k: {'communities': p, 'modularity': nxc.modularity(g, p, weight='weight')}
            for k, p in partitions.items()
        },
    }
    try:
        import igraph as ig

        h = ig.Graph(n=n, edges=[(u, v) for u, v, *_ in edges])
        w = [e[2] for e in edges] if weighted else None
        lv = h.community_leiden(objective_function='modularity', weights=w, n_iterations=-1)
        out['igraph_leiden_modularity'] = h.modularity(lv.membership, weights=w)
        out['generator'] += f', igraph {ig.__version__}'
    except ImportError:
        pass
    return out


def karate():
    g = nx.karate_club_graph()
    # Unweighted view (networkx >= 2.8 adds interaction weights; the fixture uses plain ties).
    edges = sorted((min(u, v), max(u, v)) for u, v in g.edges())
    out = describe('karate', g.number_of_nodes(), edges)
    out['club'] = [0 if g.nodes[v]['club'] == 'Mr. Hi' else 1 for v in range(g.number_of_nodes())]
    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    fixtures = [
        karate(),
        describe('gnm60', 60, gnm_edges(60, 150, 42)),
        describe('gnm200', 200, gnm_edges(200, 500, 7)),
        describe('bridges', *bridges_graph()),
        describe('weighted', *weighted_graph(), weighted=True),
    ]
    for f in fixtures:
        path = os.path.join(OUT, f"{f['name']}.json")
        with open(path, 'w') as fh:
            json.dump(f, fh, indent=1)
            fh.write('\n')
        print('wrote', path, file=sys.stderr)


if __name__ == '__main__':
    main()
