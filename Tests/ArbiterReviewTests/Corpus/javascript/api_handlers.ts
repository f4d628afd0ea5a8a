import express, { Request, Response } from 'express';
import { exec } from 'child_process';
import * as crypto from 'crypto';
import { z } from 'zod';
import { db } from './db';

interface Settings {
  theme: string;
  locale: string;
}

const SettingsSchema = z.object({ theme: z.string(), locale: z.string() });

export const router = express.Router();

router.post('/settings', async (req: Request, res: Response) => {
  const body = req.body as any; // arbiter-expect: JS-TS-002
  await db.query(`UPDATE settings SET theme = '${body.theme}' WHERE user_id = $1`, [req.params.id]); // arbiter-expect: JS-SQLI-001
  res.json({ ok: true });
});

router.post('/settings/v2', async (req: Request, res: Response) => {
  const parsed = SettingsSchema.parse(req.body);
  await db.query('UPDATE settings SET theme = $1 WHERE user_id = $2', [parsed.theme, req.params.id]);
  res.json({ ok: true });
});

router.get('/export/:name', (req: Request, res: Response) => {
  exec(`zip -r /tmp/export.zip ${req.params.name}`, () => res.sendFile('/tmp/export.zip')); // arbiter-expect: JS-CMDI-001
});

export function loadSettings(raw: string): Settings {
  return JSON.parse(raw) as Settings; // arbiter-expect: JS-TS-003
}

export function loadSettingsSafe(raw: string): Settings {
  return SettingsSchema.parse(JSON.parse(raw));
}

export function digest(data: string): string {
  return crypto.createHash('md5').update(data).digest('hex'); // arbiter-expect: JS-CRYPTO-001
}

export function legacyFormat(value: unknown): string {
  // @ts-ignore -- upstream typings are wrong  arbiter-expect: JS-TS-001
  return value.toFixed(2);
}

export function strictFormat(value: number): string {
  const asText = value.toFixed(2) as string;
  return asText;
}

export const TOKEN_HEADER: string = 'x-request-token';
export const sessionSecret: string = 'keyboard cat forever'; // arbiter-expect: JS-SECRET-001
