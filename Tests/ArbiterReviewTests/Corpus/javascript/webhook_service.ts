import axios from 'axios';
import { Request, Response } from 'express';
import { promises as fs } from 'fs';
import * as path from 'path';

interface WebhookConfig {
  url: string;
  secretHeader: string;
}

const STORE_DIR = '/var/lib/hooks';
const ALLOWED_HOSTS = new Set(['hooks.example.com', 'api.partner.example']);

export async function testWebhook(req: Request, res: Response): Promise<void> {
  const cfg = <any>req.body; // arbiter-expect: JS-TS-002
  const reply = await axios.post(req.body.url, { ping: true }); // arbiter-expect: JS-SSRF-001
  res.json({ status: reply.status, name: cfg.name });
}

export async function testWebhookSafe(req: Request, res: Response): Promise<void> {
  const target = new URL(String(req.body.url));
  if (!ALLOWED_HOSTS.has(target.hostname)) {
    res.status(400).json({ error: 'host not allowed' });
    return;
  }
  const reply = await axios.post(target.toString(), { ping: true });
  res.json({ status: reply.status });
}

export async function loadHook(req: Request, res: Response): Promise<void> {
  const raw = await fs.readFile(path.join(STORE_DIR, req.params.id + '.json'), 'utf8'); // arbiter-expect: JS-PATH-001
  // Do not add @ts-nocheck or @ts-ignore here; the value is validated below.
  const parsed: unknown = JSON.parse(raw);
  res.json(parsed);
}

export async function loadHookSafe(req: Request, res: Response): Promise<void> {
  const id = path.basename(String(req.params.id));
  const raw = await fs.readFile(path.join(STORE_DIR, `${id}.json`), 'utf8');
  const cfg = validate(JSON.parse(raw));
  res.json(cfg);
}

function validate(value: unknown): WebhookConfig {
  if (typeof value !== 'object' || value === null) throw new Error('invalid config');
  const v = value as Record<string, unknown>;
  return { url: String(v.url), secretHeader: String(v.secretHeader) };
}
