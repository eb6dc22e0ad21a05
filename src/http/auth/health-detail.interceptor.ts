import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { map, Observable } from 'rxjs';
import { isLoopback } from '../../platform/app-config';
import { TimelineRequest } from '../request-context';

/**
 * `/health` answers anyone, so to a client on another machine it says only up or down: the store's
 * head, lags and states stay for loopback probes (keyed callers read them at `/v1/projections`).
 */
@Injectable()
export class HealthDetailForLoopback implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<TimelineRequest>();
    if (isLoopback(request.ip)) return next.handle();
    return next.handle().pipe(map((result: { status: string }) => ({ status: result.status })));
  }
}
