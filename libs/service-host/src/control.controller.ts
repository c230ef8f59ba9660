import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { ControlCommandV1, StatusQueryV1, type InstanceStatusV1, type Subjects } from '@tm/contracts';
import { SchemaPipe } from '@tm/messaging';
import { ApplicationLifecycle } from './application-lifecycle.js';
import type { ServiceIdentity } from './service-definition.js';

/**
 * The control plane every instance answers: `tm.sys.ctl.<service>.<instance>` (this instance),
 * `tm.sys.ctl.<service>` (every instance of the service) and `tm.sys.status` (every instance).
 * Subjects are known only at start, so the controller class is made per process.
 */
export function controlControllerFor(subjects: Subjects, identity: ServiceIdentity) {
  @Controller()
  class ControlController {
    constructor(@Inject(ApplicationLifecycle) private readonly lifecycle: ApplicationLifecycle) {}

    @MessagePattern(subjects.sysCtl(identity.service, identity.instance))
    controlInstance(
      @Payload(new SchemaPipe(ControlCommandV1)) command: ControlCommandV1,
    ): Promise<InstanceStatusV1> {
      return this.lifecycle.control(command.action, command.reason);
    }

    @MessagePattern(subjects.sysCtlService(identity.service))
    controlService(
      @Payload(new SchemaPipe(ControlCommandV1)) command: ControlCommandV1,
    ): Promise<InstanceStatusV1> {
      return this.lifecycle.control(command.action, command.reason);
    }

    @MessagePattern(subjects.sysStatus())
    status(@Payload(new SchemaPipe(StatusQueryV1)) _query: StatusQueryV1): InstanceStatusV1 {
      return this.lifecycle.status();
    }
  }
  return ControlController;
}
