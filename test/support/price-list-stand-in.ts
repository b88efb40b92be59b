/**
 * A stand-in for the AWS Price List API (GetProducts) on 127.0.0.1: moto has no Pricing API, and tests
 * never reach AWS. It answers the AWS JSON 1.1 call `AWSPriceListService.GetProducts` in the format the
 * API reference documents: `{FormatVersion: "aws_v1", PriceList: [<JSON string>...], NextToken}`, each
 * PriceList entry a product with its attributes and its OnDemand terms. The entries are written by us
 * in that documented shape (Fargate's usagetypes and us-east-1's published on-demand prices), not
 * captured from an account. It honours `TERM_MATCH regionCode`, pages by `MaxResults`, and records
 * every request.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

import { startLocalServer, type LocalServer } from './local-server.js';

interface Product {
  region: string;
  usagetype: string;
  usd: string;
  unit?: string;
}

/** us-east-1's Fargate on-demand prices (Linux x86_64 and ARM64) and an item the cost ignores. */
export const US_EAST_1: Product[] = [
  { region: 'us-east-1', usagetype: 'USE1-Fargate-vCPU-Hours:perCPU', usd: '0.0404800000' },
  { region: 'us-east-1', usagetype: 'USE1-Fargate-GB-Hours', usd: '0.0044450000' },
  { region: 'us-east-1', usagetype: 'USE1-Fargate-ARM-vCPU-Hours:perCPU', usd: '0.0323800000' },
  { region: 'us-east-1', usagetype: 'USE1-Fargate-ARM-GB-Hours', usd: '0.0035600000' },
  { region: 'us-east-1', usagetype: 'USE1-Fargate-EphemeralStorage-GB-Hours', usd: '0.0001110000' },
];

/** One PriceList entry as GetProducts returns it: a JSON document in a string. */
export function priceListEntry(product: Product, index: number): string {
  const sku = `FF${String(index).padStart(6, '0')}SKU`;
  const offer = 'JRTCKXETXF';
  return JSON.stringify({
    product: {
      productFamily: 'Compute',
      attributes: {
        servicecode: 'AmazonECS',
        regionCode: product.region,
        location: 'US East (N. Virginia)',
        locationType: 'AWS Region',
        usagetype: product.usagetype,
        operation: '',
        servicename: 'Amazon Elastic Container Service',
        tenancy: 'Shared',
      },
      sku,
    },
    serviceCode: 'AmazonECS',
    terms: {
      OnDemand: {
        [`${sku}.${offer}`]: {
          priceDimensions: {
            [`${sku}.${offer}.6YS6EN2CT7`]: {
              unit: product.unit ?? 'hours',
              endRange: 'Inf',
              description: `AWS Fargate ${product.usagetype}`,
              appliesTo: [],
              rateCode: `${sku}.${offer}.6YS6EN2CT7`,
              beginRange: '0',
              pricePerUnit: { USD: product.usd },
            },
          },
          sku,
          effectiveDate: '2026-11-01T00:00:00Z',
          offerTermCode: offer,
          termAttributes: {},
        },
      },
    },
    version: '20261101000000',
    publicationDate: '2026-11-01T00:00:00Z',
  });
}

export interface PriceListStandIn extends LocalServer {
  requests: { target: string | undefined; body: Record<string, unknown> }[];
  /** From now on, answer every request with this HTTP status (500: the API failing); undefined: answer. */
  fail: (status: number | undefined) => void;
}

async function body(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startPriceListStandIn(products: Product[] = US_EAST_1): Promise<PriceListStandIn> {
  const entries = products.map((product, index) => ({ product, text: priceListEntry(product, index) }));
  const requests: PriceListStandIn['requests'] = [];
  const state = { failWith: undefined as number | undefined };
  const handler = (request: IncomingMessage, response: ServerResponse) => {
    void body(request).then((text) => {
      const input = (text === '' ? {} : JSON.parse(text)) as {
        Filters?: { Type: string; Field: string; Value: string }[];
        MaxResults?: number;
        NextToken?: string;
      };
      const target = request.headers['x-amz-target'];
      requests.push({ target: typeof target === 'string' ? target : undefined, body: input });
      response.setHeader('content-type', 'application/x-amz-json-1.1');
      if (state.failWith !== undefined) {
        response.statusCode = state.failWith;
        response.end(JSON.stringify({ __type: 'InternalErrorException', message: 'stand-in failing' }));
        return;
      }
      if (target !== 'AWSPriceListService.GetProducts') {
        response.statusCode = 400;
        response.end(
          JSON.stringify({ __type: 'InvalidParameterException', message: `unknown ${String(target)}` }),
        );
        return;
      }
      const region = input.Filters?.find((f) => f.Field === 'regionCode')?.Value;
      const matching = entries.filter((entry) => region === undefined || entry.product.region === region);
      const start = Number(input.NextToken ?? 0);
      const size = input.MaxResults ?? 100;
      const page = matching.slice(start, start + size);
      const next = start + size < matching.length ? String(start + size) : undefined;
      response.end(
        JSON.stringify({
          FormatVersion: 'aws_v1',
          PriceList: page.map((entry) => entry.text),
          ...(next === undefined ? {} : { NextToken: next }),
        }),
      );
    });
  };
  const server = await startLocalServer(handler);
  return {
    ...server,
    requests,
    fail: (status) => {
      state.failWith = status;
    },
  };
}
