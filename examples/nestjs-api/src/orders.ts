import { createOrders } from '@bulwark-examples/shared/orders';

export interface OrderBook {
  list(sub: string): unknown[];
  add(sub: string, input: unknown): unknown;
}

export const ORDERS = Symbol('orders');
export const ordersProvider = { provide: ORDERS, useFactory: (): OrderBook => createOrders() };
