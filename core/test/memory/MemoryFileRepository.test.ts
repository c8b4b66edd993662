import { layerMemory } from "../../src/memory/MemoryFileRepository.ts"
import { fileRepositoryContract } from "../contract/FileRepositoryContract.ts"

fileRepositoryContract("memory", layerMemory)
