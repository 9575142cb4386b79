import { Injectable, type PipeTransform } from '@nestjs/common';
import { ProblemException } from './problem.exception.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An id in the path that is not a UUID names nothing: 404, exactly like a missing one. */
@Injectable()
export class UuidParam implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!UUID.test(value)) throw new ProblemException('not_found', 'Not found');
    return value.toLowerCase();
  }
}
