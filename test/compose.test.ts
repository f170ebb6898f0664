import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

describe('docker-compose.yml', () => {
  // Compose files use YAML 1.1 merge keys (<<: *gateway).
  const compose = parse(readFileSync('docker-compose.yml', 'utf8'), { merge: true });

  it('is valid YAML with a server and two simulated gateways', () => {
    expect(Object.keys(compose.services)).toEqual(expect.arrayContaining(['server', 'gateway-1', 'gateway-2']));
  });

  it('gives every service an image or a build, and only names services that exist in depends_on', () => {
    for (const [name, s] of Object.entries<Record<string, unknown>>(compose.services)) {
      expect(s.image ?? s.build, `${name} has an image or build`).toBeTruthy();
      const deps = Array.isArray(s.depends_on) ? s.depends_on : Object.keys(s.depends_on ?? {});
      for (const d of deps) expect(Object.keys(compose.services)).toContain(d);
    }
  });

  it('runs the gateways against the server by service name, with the recording sink', () => {
    for (const g of ['gateway-1', 'gateway-2']) {
      const cmd = [compose.services[g].command].flat().join(' ');
      expect(cmd).toContain('--server http://server:8080');
      expect(cmd).toContain('--sink record');
    }
  });

  it('has a Mosquitto variant whose generated config lands where Mosquitto reads it', () => {
    const { mosquitto, 'mosquitto-config': config, 'server-mosquitto': server } = compose.services;
    expect(mosquitto.command.join(' ')).toContain('/mosquitto/config/mosquitto.conf');
    expect(config.command.join(' ')).toContain('--out /mosquitto/config');
    expect(config.volumes).toContain('mosquitto:/mosquitto/config');
    expect(mosquitto.volumes).toContain('mosquitto:/mosquitto/config');
    expect(server.environment.MQTT_URL).toBe('mqtt://mosquitto:1883');
    expect(server.environment.MQTT_PASSWORD).toBe(config.environment.MQTT_PASSWORD);
  });

  it('has an EMQX variant whose HTTP authn/authz point at the server\'s hooks with the shared token', () => {
    const { emqx, 'server-emqx': server } = compose.services;
    expect(emqx.environment.EMQX_AUTHENTICATION__1__URL).toBe('http://server-emqx:8080/mqtt/auth');
    expect(emqx.environment.EMQX_AUTHORIZATION__SOURCES__1__URL).toBe('http://server-emqx:8080/mqtt/acl');
    expect(emqx.environment.EMQX_AUTHORIZATION__NO_MATCH).toBe('deny');
    expect(emqx.environment.EMQX_AUTHENTICATION__1__HEADERS).toContain(server.environment.MQTT_HOOK_TOKEN.replace(/^\$\{MQTT_HOOK_TOKEN:-(.*)\}$/, '$1'));
    expect(server.environment.MQTT_URL).toBe('mqtt://emqx:1883');
  });
});
