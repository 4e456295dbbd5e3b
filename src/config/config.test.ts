import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('configuration', () => {
  it('defaults to SQLite in ./data on port 8080 with open registration', () => {
    const c = loadConfig({});
    expect(c.port).toBe(8080);
    expect(c.databaseUrl).toBeUndefined();
    expect(c.dataDir).toMatch(/\/data$/);
    expect(c.publicUrl).toBe('http://localhost:8080');
    expect([...c.mfaRequiredRoles].sort()).toEqual(['admin', 'security_core', 'vmt']);
  });

  it('collects every problem with a fix-it message', () => {
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', REGISTRATION: 'maybe', MFA_REQUIRED_ROLES: 'admin,root', TRUST_PROXY: 'sure', SMTP_URL: 'mail.example.org' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const vars = (e as ConfigError).problems.map((p) => p.variable);
      expect(vars.sort()).toEqual(['DATABASE_URL', 'MFA_REQUIRED_ROLES', 'PORT', 'REGISTRATION', 'SMTP_URL', 'TRUST_PROXY']);
      expect((e as ConfigError).message).toContain('fix: Unset DATABASE_URL to use the embedded SQLite database');
    }
  });

  it('accepts PostgreSQL and an https public URL', () => {
    const c = loadConfig({ DATABASE_URL: 'postgres://u:p@db:5432/cordon', PUBLIC_URL: 'https://security.example.org/', MFA_REQUIRED_ROLES: '' });
    expect(c.databaseUrl).toBe('postgres://u:p@db:5432/cordon');
    expect(c.publicUrl).toBe('https://security.example.org');
    expect(c.mfaRequiredRoles.size).toBe(0);
  });

  it('records which instance settings the environment sets, and checks them by the settings page’s rules', () => {
    expect(loadConfig({ PUBLIC_URL: 'https://security.example.org', MAIL_FROM: '' }).settingsFromEnvironment).toEqual(['PUBLIC_URL']);
    expect(loadConfig({}).settingsFromEnvironment).toEqual([]);
    try {
      loadConfig({ MAIL_FROM: 'Team <not-an-address>', INSTANCE_NAME: 'x'.repeat(81), PUBLIC_URL: 'https://u:p@example.org' });
      expect.unreachable();
    } catch (e) {
      expect((e as ConfigError).problems.map((p) => p.variable).sort()).toEqual(['INSTANCE_NAME', 'MAIL_FROM', 'PUBLIC_URL']);
    }
  });
});
