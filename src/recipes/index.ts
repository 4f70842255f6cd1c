import type { Component } from '../engine/types.ts';
import { ciliumOperator } from './cilium-operator.ts';
import { coredns } from './coredns.ts';
import { metricsServer } from './metrics-server.ts';
import type { Recipe } from './types.ts';

export const RECIPES: Record<Component, Recipe> = {
  'cilium-operator': ciliumOperator,
  coredns,
  'metrics-server': metricsServer,
};
