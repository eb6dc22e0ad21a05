import { Controller, ExecutionContext, Get, HttpException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiKeyGuard } from '../../src/http/auth/api-key.guard';
import { ApiKeys } from '../../src/http/auth/api-keys';
import { Public, Roles } from '../../src/http/auth/roles.decorator';
import { loadConfig } from '../../src/platform/app-config';
import { systemClock } from '../../src/platform/clock';

const READER_KEY = 'reader-key-0123456789';

@Controller('undeclared')
class UndeclaredController {
  @Get()
  read() {}
}

@Controller('declared')
@Roles('reader', 'admin')
class DeclaredController {
  @Get()
  read() {}

  @Get('admin')
  @Roles('admin')
  adminOnly() {}

  @Get('open')
  @Public()
  open() {}
}

/** The execution context of a request that matched `handler` of `controller`. */
function contextFor(controller: new () => object, handler: string, authorization?: string): ExecutionContext {
  const request = { method: 'GET', ip: '127.0.0.1', headers: { authorization }, routeOptions: { url: `/${handler}` } };
  const reply = { header: () => reply };
  return {
    getHandler: () => (controller.prototype as Record<string, unknown>)[handler],
    getClass: () => controller,
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => reply }),
  } as unknown as ExecutionContext;
}

function statusOf(run: () => boolean): number {
  try {
    return run() ? 200 : 0;
  } catch (error) {
    if (error instanceof HttpException) return error.getStatus();
    throw error;
  }
}

describe('the API key guard', () => {
  for (const keys of [`${READER_KEY}:reader`, '']) {
    const guard = new ApiKeyGuard(new ApiKeys(loadConfig({ TIMELINE_API_KEYS: keys }), systemClock), new Reflector());
    const as = `Bearer ${READER_KEY}`;

    it(`refuses a route that declares no roles, even to a valid key or a loopback client (keys: ${keys ? 'some' : 'none'})`, () => {
      expect(statusOf(() => guard.canActivate(contextFor(UndeclaredController, 'read', as)))).toBe(403);
    });

    it(`takes a handler's roles over its controller's, and lets anyone call a public route (keys: ${keys ? 'some' : 'none'})`, () => {
      expect(statusOf(() => guard.canActivate(contextFor(DeclaredController, 'read', as)))).toBe(200);
      expect(statusOf(() => guard.canActivate(contextFor(DeclaredController, 'adminOnly', as)))).toBe(keys ? 403 : 200);
      expect(statusOf(() => guard.canActivate(contextFor(DeclaredController, 'open')))).toBe(200);
    });
  }
});
